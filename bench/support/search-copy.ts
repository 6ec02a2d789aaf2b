import type pg from 'pg';

// COPY … FROM STDIN with node-postgres and no extra dependency. pg runs any object with a submit()
// method as a query ("submittable", the mechanism pg-copy-streams uses); this one feeds the server
// chunks from an async iterable once it answers CopyInResponse, then CopyDone, and resolves on
// ReadyForQuery with the row count from CommandComplete.
interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: { writableNeedDrain?: boolean; once(event: 'drain', fn: () => void): void };
}

class CopyFromStdin {
  private error: Error | undefined;
  private rows = 0;
  private resolve!: (rows: number) => void;
  private reject!: (err: Error) => void;
  readonly done = new Promise<number>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly text: string,
    private readonly chunks: AsyncIterable<string>,
  ) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    void (async () => {
      try {
        for await (const chunk of this.chunks) {
          connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
          if (connection.stream.writableNeedDrain) await new Promise<void>((r) => connection.stream.once('drain', r));
        }
        connection.endCopyFrom();
      } catch (err) {
        connection.sendCopyFail(err instanceof Error ? err.message : String(err));
      }
    })();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.rows = Number(/COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0);
  }

  handleError(err: Error): void {
    this.error = err;
  }

  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(this.rows);
  }

  // pg calls these for other message types; COPY FROM never sends them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCopyData(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/** Streams text-format COPY data (tab-separated, \N for null, one row per line) into `table (columns)`. */
export async function copyFrom(client: pg.Client, table: string, columns: string[], chunks: AsyncIterable<string>) {
  const copy = new CopyFromStdin(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, chunks);
  void client.query(copy as unknown as pg.QueryConfig);
  return copy.done;
}

/** One value in COPY text format. */
export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}
