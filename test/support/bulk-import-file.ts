// A large customer CSV in our template, made in the test, with what importing it must give. Most rows are
// a person of their own (unique email and phone); some repeat an earlier person (the email in upper case,
// no phone): as it was, 37 rows back (in the same batch), or with one more tag, 1,501 rows back (in an
// earlier batch); a few are refused (a bad email, no first name).

export interface BulkImportFile {
  csv: string;
  /** Data rows (the header is not one). */
  rows: number;
  /** What a first import into an empty store counts. */
  counts: { rows: number; created: number; updated: number; unchanged: number; failed: number };
  /** Lines (header = 1) and columns of the refused rows, in line order. */
  errors: Array<{ row: number; column: string }>;
  /** The email of every person, once. */
  emails: string[];
}

const HEADER = 'first_name,last_name,email,phone,birthday,tags';

const emailOf = (i: number) => `person${i}@bulk.example`;
// 503-200-0000 onwards: valid US numbers for libphonenumber, written in a few spellings.
function phoneOf(i: number): string {
  const digits = String(2_000_000 + i);
  const [exchange, line] = [digits.slice(0, 3), digits.slice(3)];
  switch (i % 3) {
    case 0:
      return `(503) ${exchange}-${line}`;
    case 1:
      return `503.${exchange}.${line}`;
    default:
      return `+1 503 ${exchange} ${line}`;
  }
}
const birthdayOf = (i: number) => `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;

export function bulkImportFile(rows: number): BulkImportFile {
  const lines = [HEADER];
  const counts = { rows, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const errors: BulkImportFile['errors'] = [];
  const emails: string[] = [];
  const person = (i: number) => `First${i},Last${i},${emailOf(i)},${phoneOf(i)},${birthdayOf(i)},bulk`;
  const repeat = (s: number, tags: string) =>
    `First${s},Last${s},${emailOf(s).toUpperCase()},,${birthdayOf(s)},${tags}`;

  for (let i = 0; i < rows; i += 1) {
    const line = i + 2;
    // Indices below never fall on a person another row repeats (those are i % 200 in 13 and 49).
    if (i % 2500 === 1234) {
      lines.push(`Bad,Email${i},not-an-email-${i},,,`);
      errors.push({ row: line, column: 'email' });
      counts.failed += 1;
    } else if (i % 5000 === 4321) {
      lines.push(`,Nofirst${i},nofirst${i}@bulk.example,,,`);
      errors.push({ row: line, column: 'first_name' });
      counts.failed += 1;
    } else if (i % 200 === 50) {
      lines.push(repeat(i - 37, 'bulk'));
      counts.unchanged += 1;
    } else if (i % 200 === 150 && i >= 1600) {
      // 1,501 rows back: always in an earlier batch of 1,000, so the row meets its person in the database.
      lines.push(repeat(i - 1501, 'bulk|returning'));
      counts.updated += 1;
    } else {
      lines.push(person(i));
      emails.push(emailOf(i));
      counts.created += 1;
    }
  }
  return { csv: lines.join('\n') + '\n', rows, counts, errors, emails };
}
