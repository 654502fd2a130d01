// CSV as spreadsheets write it (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM from
// Excel), small enough to read whole: list files are at most a few thousand lines.

export interface CsvRow {
  /** 1-based line where the row starts, for error reports a person can find in their file. */
  line: number;
  /** The row as it appeared (for the report). */
  text: string;
  fields: string[];
}

export function parseCsv(input: string): CsvRow[] {
  const s = input.replace(/^\uFEFF/, '');
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let rowStart = 0;
  const endRow = (end: number) => {
    fields.push(field);
    rows.push({ line: rowLine, text: s.slice(rowStart, end), fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      endRow(i);
      if (c === '\r' && s[i + 1] === '\n') i++;
      line++;
      rowLine = line;
      rowStart = i + 1;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) endRow(s.length);
  return rows;
}

/** A field a spreadsheet would run as a formula gets a leading apostrophe (CSV injection). */
function defuse(v: string): string {
  return /^[=+\-@\t\r]/.test(v) && !/^\+\d+$/.test(v) ? `'${v}` : v;
}

function quote(v: string): string {
  const safe = defuse(v);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV text with a BOM (so Excel reads the Chinese notes as UTF-8) and CRLF line ends. */
export function toCsv(header: string[], rows: string[][]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
