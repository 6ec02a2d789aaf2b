import { parse, type Options } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { FileStorage } from '../../integrations/storage/file-storage.js';

// Reading a customer CSV as a stream of records with the line each starts on (the header is line 1),
// whatever its delimiter (`,` or `;`), line ends (CRLF or LF) or byte order mark.

export interface CsvRecord {
  cells: string[];
  /** The line the record starts on in the file. */
  line: number;
  /** Bytes of the file read so far (for progress). */
  bytes: number;
}

/** `,` or `;`, whichever separates more cells of the header line (outside quotes). */
export function sniffDelimiter(head: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of head) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas += 1;
    else if (!quoted && ch === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

/** The delimiter of a stored file, judged from its first line; undefined when there is no such file. */
export async function storedDelimiter(storage: FileStorage, key: string): Promise<',' | ';' | undefined> {
  const stream = await storage.getStream(key);
  if (!stream) return undefined;
  let head = '';
  try {
    for await (const chunk of stream) {
      head += (chunk as Buffer).toString('utf8');
      if (head.length >= 64 * 1024 || /[\r\n]/.test(head)) break;
    }
  } finally {
    stream.destroy();
  }
  return sniffDelimiter(head);
}

export function csvOptions(delimiter: ',' | ';'): Options {
  // No `info` and no skip_empty_lines: both cost per record, and the lines are counted here anyway.
  return { bom: true, delimiter, relax_column_count: true, relax_quotes: true };
}

function newlines(cells: string[]): number {
  let n = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) n += 1;
  }
  return n;
}

/** Records handed over at once: those csv-parse holds already, up to this many. */
const CHUNK_RECORDS = 1000;

/**
 * The records of `source`, in chunks of those already parsed. Line numbers are counted here from the
 * cells (csv-parse counts a CRLF inside a quoted cell as two lines): a record starts on the line after the
 * previous one ended; an empty line is skipped but counted. A chunk, not a record, per turn of the event
 * loop: a promise per record cost more than parsing it.
 */
export async function* readCsvChunks(source: Readable, delimiter: ',' | ';'): AsyncGenerator<CsvRecord[]> {
  let bytes = 0;
  source.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const parser = source.pipe(parse(csvOptions(delimiter)));
  source.on('error', (err) => parser.destroy(err));
  let line = 1;
  // The stream's own iterator waits for the first record; the rest it holds are taken with read().
  for await (const first of parser as AsyncIterable<string[]>) {
    const chunk: CsvRecord[] = [];
    let record: string[] | null = first;
    do {
      const start = line;
      line += newlines(record) + 1;
      if (record.length !== 1 || record[0] !== '') chunk.push({ cells: record, line: start, bytes });
    } while (chunk.length < CHUNK_RECORDS && (record = parser.read() as string[] | null) !== null);
    if (chunk.length > 0) yield chunk;
  }
}

/** The records of `source` one by one (see readCsvChunks). */
export async function* readCsv(source: Readable, delimiter: ',' | ';'): AsyncGenerator<CsvRecord> {
  for await (const chunk of readCsvChunks(source, delimiter)) yield* chunk;
}
