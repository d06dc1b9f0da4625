/** PostgreSQL type name → Cluvio DataType (the reference's DataType enum). */

const SCALAR: Record<string, string> = {
  bool: 'Boolean',
  int2: 'Integer',
  int4: 'Integer',
  oid: 'Integer',
  int8: 'BigInt',
  numeric: 'Float',
  float4: 'Float',
  float8: 'Float',
  money: 'Float',
  text: 'String',
  varchar: 'String',
  bpchar: 'String',
  char: 'String',
  name: 'String',
  citext: 'String',
  uuid: 'String',
  timestamp: 'DateTime',
  timestamptz: 'DateTime',
  date: 'Date',
  time: 'Time',
  timetz: 'Time',
  json: 'JSON',
  jsonb: 'JSON',
  bytea: 'Binary',
  record: 'Record',
};

/** Map a pg_type typname (and element typname for arrays) to a Cluvio DataType. */
export function cluvioDataType(typeName: string, elemTypeName: string | null): string {
  if (elemTypeName !== null) {
    const elem = SCALAR[elemTypeName];
    return elem === undefined ? 'OtherArray' : `${elem}Array`;
  }
  return SCALAR[typeName] ?? 'Other';
}

/** "total_revenue" → "Total Revenue" (the human_name of a result field). */
export function humanName(name: string): string {
  const words = name.replace(/[_\s]+/g, ' ').trim();
  if (words === '') return name;
  return words.replace(/\b\w/g, (c) => c.toUpperCase());
}
