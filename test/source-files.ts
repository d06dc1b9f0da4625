import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under dir, for tests that read the source itself. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}
