export interface KnownServerBug {
  id: string;
  what: string;
  where: string;
  matches(call: Record<string, unknown>): 'bug' | 'fixed' | undefined;
}
export const KNOWN_SERVER_BUGS: KnownServerBug[];
