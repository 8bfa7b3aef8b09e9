/** Test helpers for the seeder: a project directory on disk, and rows collected from a seed source. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SourceRow } from '../../../src/seeds/formats/source.js';
import type { MigrationContext } from '../../../src/context.js';

export interface Project {
  root: string;
  seedsDir: string;
  write(relative: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

/** A temporary project with the given files (paths relative to the project root). */
export async function makeProject(files: Record<string, string> = {}): Promise<Project> {
  const root = await mkdtemp(path.join(tmpdir(), 'cm-seeds-'));
  const project: Project = {
    root,
    seedsDir: path.join(root, 'seeds'),
    async write(relative, text) {
      const file = path.join(root, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  await mkdir(project.seedsDir, { recursive: true });
  for (const [relative, text] of Object.entries(files)) await project.write(relative, text);
  return project;
}

/** A source's rows, its chunks joined; an empty chunk fails (sources never yield one). */
export async function collect(rows: AsyncIterable<readonly SourceRow[]>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const chunk of rows) {
    if (chunk.length === 0) throw new Error('a seed source yielded an empty chunk');
    out.push(...chunk);
  }
  return out;
}

/** A context for sources that do not use it (data seeds). */
export const noContext = {} as MigrationContext;

export const BOOKS_YAML = `# The tutorial's books
table: books
requires: 001_create_books
rows:
  - id: "1"
    title: The Hitchhiker's Guide to the Galaxy
    author: Douglas Adams
    publication_date: 1979-10-12
    categories: [novel, documentation, comedy]
  - id: "2"
    title: The Restaurant at the End of the Universe
    author: Douglas Adams
    publication_date: 1980-01-01
    categories: [novel, documentation, comedy]
  - id: "3"
    title: Monty Python's Big Red Book
    author: Monty Python
    publication_date: 1971-09-30
    categories: [comedy]
`;
