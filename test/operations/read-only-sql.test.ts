import { describe, expect, it } from 'vitest';
import { refuseUnlessRead } from '../../src/operations/read-only-sql.js';

describe('read-only SQL check', () => {
  it.each([
    'SELECT 1',
    '  select * from flights where origin = $1;',
    'WITH t AS (SELECT 1) SELECT * FROM t',
    'EXPLAIN SELECT * FROM flights',
    'SHOW search_path',
    'VALUES (1), (2)',
    'TABLE airports',
    "SELECT 'delete from x; drop table y' AS text",
    'SELECT "update" FROM t -- insert into x',
    'SELECT /* drop */ replace(name, \'a\', \'b\') FROM airports',
    'SELECT {created_at:aggregation}, COUNT(*) FROM flights WHERE {departed_at=timerange} GROUP BY 1',
  ])('accepts %s', (sql) => {
    expect(refuseUnlessRead(sql)).toBeUndefined();
  });

  it.each([
    ['DELETE FROM flights', /only SELECT/],
    ['UPDATE flights SET passengers = 0', /only SELECT/],
    ['DROP TABLE flights', /only SELECT/],
    ['SELECT 1; DELETE FROM flights', /single statement/],
    ['WITH x AS (DELETE FROM flights RETURNING 1) SELECT * FROM x', /DELETE/],
    ['SELECT * INTO copy_of_flights FROM flights', /INTO/],
    ['SELECT * FROM flights FOR UPDATE', /UPDATE/],
    ["SELECT nextval('seq')", /NEXTVAL/],
    ["SELECT set_config('x', 'y', false)", /SET_CONFIG/],
    ['EXPLAIN ANALYZE DELETE FROM flights', /DELETE/],
    ['COPY flights TO STDOUT', /only SELECT/],
  ])('refuses %s', (sql, reason) => {
    expect(refuseUnlessRead(sql)).toMatch(reason);
  });
});
