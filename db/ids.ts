const UUID_TEXT = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID = new RegExp(`^${UUID_TEXT}$`, 'i');
const UUIDS = new RegExp(UUID_TEXT, 'gi');

/** Whether `value` is a UUID in its canonical text form (any version): the shape of every id here. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The distinct UUIDs written in `text`, lower-cased. */
export function uuidsIn(text: string): string[] {
  return [...new Set(text.match(UUIDS)?.map((id) => id.toLowerCase()))];
}
