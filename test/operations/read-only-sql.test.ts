import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseUnlessRead } from '../../src/operations/read-only-sql.js';

const ONE_STATEMENT = 'only a single statement is allowed in read-only mode';
const NOT_A_READ = 'read-only mode accepts only SELECT, WITH … SELECT, EXPLAIN, SHOW, VALUES or TABLE';
const containing = (word: string) => `read-only mode refuses statements containing ${word}`;

describe('read-only SQL check: reads are accepted', () => {
  it.each([
    'SELECT 1',
    '  select * from flights where origin = $1;',
    'SELECT 1; -- done',
    'WITH t AS (SELECT 1) SELECT * FROM t',
    'WITH RECURSIVE n(i) AS (VALUES (1) UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n',
    'EXPLAIN SELECT * FROM flights',
    'EXPLAIN ANALYZE SELECT * FROM flights',
    'SHOW search_path',
    'VALUES (1), (2)',
    'TABLE airports',
    'SELECT updated_at, deleted, created_by, inserted_rows, drop_off, call_count FROM trips',
    "SELECT 'delete from x; drop table y' AS text",
    'SELECT "update" FROM t -- insert into x',
    'SELECT /* drop */ replace(name, \'a\', \'b\') FROM airports',
    'SELECT {created_at:aggregation}, COUNT(*) FROM flights WHERE {departed_at=timerange} GROUP BY 1',
    '-- Monthly revenue; excludes refunds\nSELECT month, sum(amount) FROM payments GROUP BY 1',
    '/* Report: top routes; see README */\nSELECT origin, destination FROM flights',
    '------------------------------\n-- Top routes (update weekly)\n------------------------------\nSELECT origin FROM flights',
    "SELECT 'it''s', \"odd\"\"name\" FROM t",
    "SELECT E'line\\nbreak', E'it\\'s'",
    "SELECT $$it's; drop$$, $tag$a 'quote'$tag$",
    "SELECT payload #>> '{order,id}' AS id, payload # 1 FROM events",
    'SELECT tags[1], matrix[2][3] FROM t',
    "SELECT * FROM t WHERE code ~ '^\\d{3}$' AND path LIKE 'C:\\\\%'",
    'SELECT 1 /* a /* nested */ comment */',
    'SELECT `order`, `t`.`from` FROM `shop`.`t`',
    'SELECT [name], [order] FROM [dbo].[customers]',
    "SELECT q'[it's]' FROM dual",
    "SELECT '''a 'quoted' text''' AS bq",
    'SELECT 1;--',
    '-- note\r\nSELECT 1',
    '/* header */ -- note\nSELECT 1',
    "SELECT Q'{it's}', q'!it's!', q'(a)', q'<b>' FROM dual",
    "SELECT 1 AS q, 'x; DELETE FROM flights' AS s",
    'SELECT count(*) FROM flights',
    'SELECT 1 AS del/**/ete',
    "SELECT 1/2 AS half, 'line one\n; drop the table; said nobody' AS note",
    '/*! SELECT 1 */',
  ])('accepts %j', (sql) => {
    expect(refuseUnlessRead(sql)).toBeUndefined();
  });
});

describe('read-only SQL check: writes and other statements are refused', () => {
  it.each([
    ['DELETE FROM flights', NOT_A_READ],
    ['UPDATE flights SET passengers = 0', NOT_A_READ],
    ['DROP TABLE flights', NOT_A_READ],
    ['COPY flights TO STDOUT', NOT_A_READ],
    ['VACUUM flights', NOT_A_READ],
    ['SET search_path = evil', NOT_A_READ],
    ['(SELECT 1)', NOT_A_READ],
    ['', NOT_A_READ],
    ['-- only a comment', NOT_A_READ],
    ['/* only a comment */', NOT_A_READ],
    ["'SELECT 1'", NOT_A_READ],
    ["'x' SELECT 1", NOT_A_READ],
    ['/* SELECT */ DELETE FROM flights', NOT_A_READ],
    ['-- a comment\r\nVACUUM flights', NOT_A_READ],
    ['SELECT 1; DELETE FROM flights', ONE_STATEMENT],
    ['SELECT * FROM flights FOR SHARE;', containing('FOR SHARE')],
    ['SELECT 1;;', ONE_STATEMENT],
    ['SELECT 1; SELECT 2', ONE_STATEMENT],
    ['WITH x AS (DELETE FROM flights RETURNING 1) SELECT * FROM x', containing('DELETE')],
    ['WITH x AS (SELECT 1) INSERT INTO log SELECT * FROM x', containing('INSERT')],
    ['SELECT * INTO copy_of_flights FROM flights', containing('INTO')],
    ['SELECT * FROM flights FOR UPDATE', containing('UPDATE')],
    ['SELECT * FROM flights FOR NO KEY UPDATE', containing('UPDATE')],
    ["SELECT nextval('seq')", containing('NEXTVAL')],
    ["SELECT pg_catalog.setval('seq', 1)", containing('SETVAL')],
    ["SELECT set_config('x', 'y', false)", containing('SET_CONFIG')],
    ['SELECT pg_terminate_backend(42)', containing('PG_TERMINATE_BACKEND')],
    ["SELECT lo_import('/etc/passwd')", containing('LO_IMPORT')],
    ["SELECT * FROM dblink('db', 'DELETE FROM t') AS t(a int)", containing('DBLINK')],
    ['EXPLAIN ANALYZE DELETE FROM flights', containing('DELETE')],
    ['SELECT count(*) FROM flights; DELETE FROM flights', ONE_STATEMENT],
    ['SELECT 5 -  1; DELETE FROM flights', ONE_STATEMENT],
    ['SELECTED 1', NOT_A_READ],
  ])('refuses %j', (sql, reason) => {
    expect(refuseUnlessRead(sql)).toBe(reason);
  });

  it.each([
    ['SELECT * FROM flights FOR SHARE', 'FOR SHARE'],
    ['SELECT * FROM flights FOR KEY\n  SHARE', 'FOR KEY SHARE'],
  ])('refuses row locks, which PostgreSQL refuses in a read-only transaction too: %j', (sql, words) => {
    expect(refuseUnlessRead(sql)).toBe(containing(words));
  });

  it.each([
    ["SELECT 1 EXEC xp_cmdshell 'dir'", 'EXEC'],
    ['SELECT 1 EXECUTE sp_rename @objname = N\'t\', @newname = N\'u\'', 'EXECUTE'],
    ['SELECT 1 DENY SELECT ON t TO public', 'DENY'],
    ["SELECT 1 BACKUP DATABASE db TO DISK = 'x'", 'BACKUP'],
    ["SELECT 1 RESTORE DATABASE db FROM DISK = 'x'", 'RESTORE'],
    ['SELECT 1 DBCC SHRINKDATABASE (db)', 'DBCC'],
    ['SELECT 1 KILL 52', 'KILL'],
    ['SELECT 1 SHUTDOWN', 'SHUTDOWN'],
    ['SELECT 1 RECONFIGURE', 'RECONFIGURE'],
    ['SELECT 1 WRITETEXT t.c @ptr \'x\'', 'WRITETEXT'],
    ['SELECT 1 UPDATETEXT t.c @ptr 0 NULL \'x\'', 'UPDATETEXT'],
    ["SELECT * FROM OPENQUERY(srv, 'DELETE FROM t')", 'OPENQUERY'],
    ["SELECT * FROM OPENROWSET('SQLNCLI', 'x', 'EXEC p')", 'OPENROWSET'],
    ["SELECT * FROM OPENDATASOURCE('SQLNCLI', 'x').db.dbo.t", 'OPENDATASOURCE'],
  ])('refuses SQL Server statements it runs after a SELECT without a semicolon, and pass-through queries: %j', (sql, word) => {
    expect(refuseUnlessRead(sql)).toBe(containing(word));
  });
});

/**
 * Each of these is one harmless statement if comments and strings are stripped one kind after the other,
 * or if any one reading that starts with SELECT vouches for the others; but PostgreSQL runs a write in
 * each of them: checked below against PostgreSQL itself.
 */
const POSTGRES_HIDDEN_WRITES = [
  ["a comment marker inside a string: '--'", "SELECT '--'; DELETE FROM flights", ONE_STATEMENT],
  ["a comment opener inside a string: '/*'", "SELECT '/*'; DELETE FROM flights; SELECT '*/'", ONE_STATEMENT],
  ['a -- comment ended by a carriage return', 'SELECT 1 --\r; DELETE FROM flights', ONE_STATEMENT],
  ['a nested comment', "SELECT 1 /* /* */ ' */ ; DELETE FROM flights; SELECT ' '", ONE_STATEMENT],
  ["an E'…' string with an escaped quote", "SELECT E'a\\' , ' ; DELETE FROM flights; SELECT ' '", ONE_STATEMENT],
  ['$$ at the end of an identifier, not a dollar quote', 'SELECT 1 AS x$$, 2; DELETE FROM flights; SELECT $$a$$', ONE_STATEMENT],
  ["a dollar quote marker inside a string: '$$'", "SELECT '$$' ; DELETE FROM flights; SELECT '$$'", ONE_STATEMENT],
  ['a backslash before the closing quote of a standard string', "SELECT 'a\\' ; DELETE FROM flights; SELECT '\\'", ONE_STATEMENT],
  ['a backslash before the closing quote of a quoted name', 'SELECT 1 AS "a\\" ; DELETE FROM flights; SELECT 1 AS "\\"', ONE_STATEMENT],
  ['a dollar quote holding a quote', "SELECT $$ ' $$ ; DELETE FROM flights; SELECT ' '", ONE_STATEMENT],
  ['a dollar quote with a tag of letters, digits, _ and é', "SELECT $a1_é$ ' $a1_é$ ; DELETE FROM flights; SELECT ' '", ONE_STATEMENT],
  ['# as an operator, then a comment', 'SELECT 1 # 2 /* */; DELETE FROM flights', ONE_STATEMENT],
  ['# as an operator before count(*)', 'SELECT 1 # count(*) FROM flights; DELETE FROM flights', ONE_STATEMENT],
  ['a nested comment holding / and *', "SELECT 1 /* /* a/b * c */ ' */ ; DELETE FROM flights; SELECT ' '", ONE_STATEMENT],
  ['a SELECT that only MySQL runs (/*! … */)', "/*! SELECT */ COMMENT ON TABLE flights IS 'written'", NOT_A_READ],
  ['a SELECT inside a nested comment', "/* a /* b */ SELECT */ COMMENT ON TABLE flights IS 'written'", NOT_A_READ],
] as const;

describe('read-only SQL check: comments and strings as PostgreSQL reads them', () => {
  it.each(POSTGRES_HIDDEN_WRITES)('refuses a write after %s', (_, sql, reason) => {
    expect(refuseUnlessRead(sql)).toBe(reason);
  });

  describe('PostgreSQL (PGlite) really runs the write in each of them', () => {
    let db: PGlite;
    const state = async () =>
      (await db.query<{ rows: number; comment: string | null }>("SELECT count(*)::int AS rows, obj_description('flights'::regclass) AS comment FROM flights")).rows;
    beforeAll(async () => {
      db = await PGlite.create();
    });
    afterAll(async () => {
      await db.close();
    });

    it.each(POSTGRES_HIDDEN_WRITES)('%s', async (_, sql) => {
      await db.exec('DROP TABLE IF EXISTS flights; CREATE TABLE flights (id int); INSERT INTO flights VALUES (1), (2);');
      expect(await state()).toEqual([{ rows: 2, comment: null }]);
      await db.exec(sql);
      expect(await state()).not.toEqual([{ rows: 2, comment: null }]);
    });
  });
});

describe("read-only SQL check: other databases' comments and strings", () => {
  it.each([
    ["MySQL, BigQuery: a backslash escapes a quote in '…'", "SELECT 'a\\', ' ; DELETE FROM flights; SELECT ' '"],
    ['MySQL, BigQuery: # starts a comment', "SELECT 1 # '\n; DELETE FROM flights; SELECT ' '"],
    ['MySQL: -- without a space after it is two minus signs', 'SELECT 1 --1; DELETE FROM flights'],
    ['MySQL: /*! … */ is run', 'SELECT 1 /*!; DELETE FROM flights */'],
    ['MariaDB: /*M! … */ is run', 'SELECT 1 /*M!; DELETE FROM flights */'],
    ['MySQL: a backslash escapes a quote in "…"', 'SELECT "a\\", " ; DELETE FROM flights; SELECT " "'],
    ['MySQL: a backslash is an ordinary character in `…`', 'SELECT 1 AS `a\\` ; DELETE FROM flights; SELECT 1 AS `\\`'],
    ['BigQuery: a backslash escapes a backquote in `…`', 'SELECT 1 AS `a\\`, ` ; DELETE FROM flights; SELECT 1 AS ` `'],
    ['MySQL: comments do not nest', 'SELECT 1 /* /* */ ; DELETE FROM flights /* */'],
    ['MySQL: a lone carriage return does not end a -- comment', "SELECT 1 -- x\r' \n; DELETE FROM flights; SELECT ' '"],
    ['SQL Server: [ ] quote a name', "SELECT 1 AS [a'] ; DELETE FROM flights; SELECT 1 AS [b']"],
    ['SQL Server: ]] stands for ] in a [name]', "SELECT 1 AS [a]]'] ; DELETE FROM flights; SELECT 1 AS [b']"],
    ['Snowflake: // starts a comment', "SELECT 1 // '\n; DELETE FROM flights; SELECT ' '"],
    ["BigQuery: '''…''' ends at the next three quotes", "SELECT '''a'b''' ; DELETE FROM flights; SELECT 'x'"],
  ])('%s: refuses the write it could hide', (_, sql) => {
    expect(refuseUnlessRead(sql)).toBe(ONE_STATEMENT);
  });

  it.each(["SELECT q'[']', s.nextval, '' FROM dual", "SELECT Q'!'!', s.nextval, '' FROM dual"])("Oracle: q'[…]' may hold a quote: %j", (sql) => {
    expect(refuseUnlessRead(sql)).toBe(containing('NEXTVAL'));
  });

  it.each([
    ['MySQL runs what is inside /*! … */', '/*!DELETE FROM flights;*/ SELECT 1'],
    ['MariaDB runs what is inside /*M! … */', '/*M!DELETE FROM flights;*/ SELECT 1'],
    ['PostgreSQL ends a -- comment at a carriage return', '/* c */ -- x\rVACUUM flights\nSELECT 1'],
    ['MySQL reads --x as minus signs', '/* c */ --x\nSELECT 1'],
    ['MySQL ends a comment at the first */', '/* /* */ VACUUM */ SELECT 1'],
  ])('every reading must start with a read keyword: %s', (_, sql) => {
    expect(refuseUnlessRead(sql)).toBe(NOT_A_READ);
  });
});

describe("read-only SQL check: what no database reads as a comment or string stays in the string around it", () => {
  // Each marker below is not what it resembles, so the write word sits inside an ordinary string in every reading.
  it.each([
    ['# ends its comment at the line feed right after it', "SELECT 1 #\n, 'x\n DROP' AS note"],
    ['a single / after a name is a division, not a // comment', "SELECT q/2, 'x\n DROP' AS note FROM t"],
    ['backquotes have no triple form: ``` is a backquote inside `…`', "SELECT 1 AS ```a`, 'x```; DROP' AS note"],
    ["only q' opens an Oracle q'…' string, not q followed by anything", 'SELECT qx[1], "a]\'; DROP" FROM t'],
    ["only q' opens an Oracle q'…' string, not anything followed by '", 'SELECT 2-\'1\', "1\'; DROP" FROM t'],
    ['SQL Server: a backslash is an ordinary character in [names]', "SELECT [a\\], 'x ] ; DROP ' FROM t"],
  ])('%s', (_, sql) => {
    expect(refuseUnlessRead(sql)).toBeUndefined();
  });
});

describe('read-only SQL check: bounds', () => {
  it('comments nested deeper than 32 are refused, not followed', () => {
    expect(refuseUnlessRead(`SELECT 1 ${'/* '.repeat(32)}${'*/ '.repeat(32)}`)).toBeUndefined();
    expect(refuseUnlessRead(`SELECT 1 ${'/* '.repeat(33)}${'*/ '.repeat(33)}`)).toBe(
      'read-only mode cannot check SQL with this many nested comments or open quotes',
    );
  });

  it('more than 16 readings at once (here: dollar quotes left open by the reading where $ is a letter) are refused, not followed', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `$t${i}$`).join(' ');
    expect(refuseUnlessRead(`SELECT 1 AS a ${tags(15)} FROM t`)).toBeUndefined();
    expect(refuseUnlessRead(`SELECT 1 AS a ${tags(16)} FROM t`)).toBe('read-only mode cannot check SQL with this many nested comments or open quotes');
  });

  it('a -- and a # comment open at the same place are one reading: 16 readings are still checked', () => {
    const tags = Array.from({ length: 14 }, (_, i) => `$t${i}$`).join(' ');
    // code, the # comment and 14 dollar quotes; at "x" the -- comment (MySQL: minus signs, so code goes on) joins the # one.
    expect(refuseUnlessRead(`SELECT 1 AS a # ${tags} --x`)).toBeUndefined();
    expect(refuseUnlessRead(`SELECT 1 AS a # ${tags} $t14$ --x`)).toBe('read-only mode cannot check SQL with this many nested comments or open quotes');
  });

  it('100 kB full of quotes, escapes and comment markers are checked within seconds, not followed quadratically', () => {
    const hostile = `SELECT 1 ${"\\'#\n--x/* */$a$[]".repeat(7_000)}`;
    expect(hostile.length).toBeGreaterThan(100_000);
    const started = performance.now();
    expect(refuseUnlessRead(hostile)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
