import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * The company filter keeps each company to its rows for every ORM query; SQL written by hand has no filter, so
 * each statement must say its company itself. This spec reads every statement in src/ and fails on one that
 * reads or writes a company's table without a company_id condition on that table. A statement that crosses
 * companies on purpose says why in the SQL itself, with a comment that starts "all companies:".
 */

const SRC = join(__dirname, '..');
const MIGRATIONS = join(SRC, '..', 'migrations');

/**
 * Files whose statements may still lack their company for now, each with why; the spec prints their offenders
 * and fails once a file here has none left, so that the list only shrinks.
 */
const PENDING: Record<string, string> = {};

interface Statement {
  file: string;
  line: number;
  sql: string;
}

interface TableRef {
  table: string;
  alias?: string;
  insert: boolean;
  /** Where the name stands in the statement (comments and quoted text blanked out). */
  at: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

const isText = (node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral =>
  ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);

/** The tables of the entities marked @CompanyScoped(), read from their decorators: `@Entity({ tableName })`. */
function entityTables(files: string[]): Map<string, string> {
  const tables = new Map<string, string>();
  for (const file of files) {
    walk(parse(file), (node) => {
      if (!ts.isClassDeclaration(node)) return;
      const calls = (ts.getDecorators(node) ?? []).map((d) => d.expression).filter(ts.isCallExpression);
      const named = (name: string) => calls.find((c) => ts.isIdentifier(c.expression) && c.expression.text === name);
      const entity = named('Entity');
      if (!entity || !named('CompanyScoped')) return;
      const options = entity.arguments[0];
      const tableName =
        options && ts.isObjectLiteralExpression(options)
          ? options.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'tableName')
          : undefined;
      if (!tableName || !isText(tableName.initializer)) throw new Error(`${relative(SRC, file)}: a company-scoped entity without a literal tableName`);
      tables.set(tableName.initializer.text, `@CompanyScoped() ${node.name?.text}`);
    });
  }
  return tables;
}

/** Tables the migrations give a company_id column: their rows belong to a company too, entity or not (presence, sessions…). */
function tablesWithCompanyColumn(files: string[]): Map<string, string> {
  const tables = new Map<string, string>();
  for (const { file, sql } of statementsIn(files, /^\s*(create|alter)\s+table\b/i)) {
    const created = /^\s*create\s+table\s+"?(\w+)"?\s*\(([\s\S]*)\)/i.exec(sql);
    const altered = /^\s*alter\s+table\s+"?(\w+)"?\s+add\s+(?:column\s+)?"?company_id\b/i.exec(sql);
    if (created && /"?company_id"?\s+int/i.test(created[2])) tables.set(created[1], `a company_id column (${file})`);
    if (altered) tables.set(altered[1], `a company_id column (${file})`);
  }
  return tables;
}

const withoutComments = (sql: string) => sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--.*$/gm, '');

/**
 * Every string of the files that is an SQL statement (it starts like one, comments aside), a template's `${NAME}`
 * filled in with the file's constant of that name; other interpolations become a placeholder.
 */
function statementsIn(
  files: string[],
  start = /^\s*\(?\s*(select\b[\s\S]*\bfrom\b|insert\s+into\b|update\s+\S+\s+set\b|delete\s+from\b|with\b)/i,
): Statement[] {
  const found: Statement[] = [];
  for (const file of files) {
    const source = parse(file);
    const constants = new Map<string, string>();
    walk(source, (node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isText(node.initializer)) {
        constants.set(node.name.text, node.initializer.text);
      }
    });
    walk(source, (node) => {
      let sql: string | undefined;
      if (isText(node)) sql = node.text;
      if (ts.isTemplateExpression(node)) {
        sql = node.head.text + node.templateSpans.map((span) => `${constants.get(span.expression.getText()) ?? ' ${…} '}${span.literal.text}`).join('');
      }
      if (sql && start.test(withoutComments(sql))) {
        found.push({ file: relative(join(SRC, '..'), file), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, sql });
      }
    });
  }
  return found;
}

const NOT_AN_ALIAS = new Set(
  'on where set join left right inner outer cross full natural lateral using group order limit offset returning union values select with and or as for'.split(
    ' ',
  ),
);

/** The statement with comments and quoted text blanked out, the same length, so that positions in it hold. */
const code = (sql: string) =>
  sql
    .replace(/\/\*[\s\S]*?\*\//g, (c) => ' '.repeat(c.length))
    .replace(/--.*$/gm, (c) => ' '.repeat(c.length))
    .replace(/'(?:[^']|'')*'/g, (q) => `'${' '.repeat(q.length - 2)}'`);

/** The tables a statement names after from, join, into and update, with their aliases. */
function tablesOf(sql: string): TableRef[] {
  const refs: TableRef[] = [];
  for (const m of code(sql).matchAll(/\b(from|join|into|update)\s+"?([a-z_][\w.]*)"?(?:\s+(?:as\s+)?([a-z_]\w*))?/gi)) {
    const alias = m[3] && !NOT_AN_ALIAS.has(m[3].toLowerCase()) ? m[3] : undefined;
    refs.push({ table: m[2].split('.').pop()!.toLowerCase(), alias, insert: m[1].toLowerCase() === 'into', at: m.index });
  }
  return refs;
}

/**
 * The query a table name belongs to, from the name to the end of its parenthesis, without the subqueries nested
 * in it: where an unqualified company_id there can only be this table's (or PostgreSQL calls it ambiguous).
 */
function ownQuery(sql: string, at: number): string {
  const text = code(sql);
  let own = '';
  for (let i = at, depth = 0; i < text.length; i++) {
    if (text[i] === ')' && depth === 0) break;
    if (text[i] === '(' && /^\(\s*(select|with)\b/i.test(text.slice(i, i + 20))) {
      for (let d = 0; i < text.length; i++) if ((d += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0) === 0) break;
      continue;
    }
    depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
    own += text[i];
  }
  return own;
}

const condition = (column: string) => new RegExp(`${column}\\s*(=|<>|\\bin\\b)|=\\s*${column}\\b`, 'i');

/**
 * Whether the statement keeps this table to a company: a condition on its company_id (by its alias anywhere, as a
 * correlated subquery may put it, or unqualified in its own query), or, for an insert, the company_id column.
 */
function namesCompany(sql: string, ref: TableRef): boolean {
  const text = code(sql);
  if (ref.insert) return new RegExp(`^\\s*"?${ref.table}"?\\s*\\(([^)]*)\\bcompany_id\\b`, 'i').test(text.slice(ref.at).replace(/^into\s+/i, ''));
  return condition(`\\b${ref.alias ?? ref.table}\\.company_id`).test(text) || condition('(?<![\\w.])company_id').test(ownQuery(sql, ref.at));
}

const EXCEPTION = /\/\*\s*all companies:\s*([^*]+?)\s*\*\//i;

describe('hand-written SQL and the company of each row', () => {
  const sources = sourceFiles(SRC);
  const scoped = new Map([...tablesWithCompanyColumn(sourceFiles(MIGRATIONS)), ...entityTables(sources)]);
  const all = statementsIn(sources);

  it('finds the company tables in the entities and the migrations, and the statements in src/', () => {
    expect([...scoped.keys()]).toEqual(expect.arrayContaining(['app_user', 'conversation', 'message', 'crm_task', 'notification', 'presence', 'user_session']));
    expect(all.length).toBeGreaterThanOrEqual(30);
  });

  it('tells a table kept to its company from one that is not', () => {
    const unnamed = (sql: string) =>
      tablesOf(sql)
        .filter((r) => !namesCompany(sql, r))
        .map((r) => r.alias ?? r.table);
    expect(unnamed('select * from message where company_id = ? and id = ?')).toEqual([]);
    expect(unnamed('select * from message m join app_user u on u.id = m.author_id where m.company_id = ?')).toEqual(['u']);
    expect(unnamed('select * from message m join app_user u on u.id = m.author_id and u.company_id = m.company_id where m.company_id = ?')).toEqual([]);
    expect(
      unnamed('update conversation set n = n + 1 where id = ? and company_id = ? and not exists (select 1 from message where conversation_id = ?)'),
    ).toEqual(['message']);
    expect(unnamed("insert into message (company_id, body) values (?, 'company_id = 1')")).toEqual([]);
    expect(unnamed("insert into message (body) values ('where company_id = 1')")).toEqual(['message']);
    expect(unnamed('delete from message_link where message_id = ? -- and company_id = ?')).toEqual(['message_link']);
  });

  it('names the company for every company table a statement reads or writes, unless it says why not', () => {
    const exceptions = all.filter((s) => EXCEPTION.test(s.sql));
    const offenders = all
      .filter((s) => !EXCEPTION.test(s.sql))
      .flatMap((s) =>
        tablesOf(s.sql)
          .filter((r) => scoped.has(r.table) && !namesCompany(s.sql, r))
          .map((r) => ({ ...s, table: r.alias ? `${r.table} ${r.alias}` : r.table })),
      );
    const line = (o: (typeof offenders)[number]) => `${o.file}:${o.line} ${o.table}: ${o.sql.replace(/\s+/g, ' ').trim().slice(0, 120)}`;
    console.log(
      [
        `${all.length} statements; company tables: ${[...scoped.keys()].sort().join(', ')}`,
        `${exceptions.length} statements cross companies on purpose:`,
        ...exceptions.map((s) => `  ${s.file}:${s.line} ${EXCEPTION.exec(s.sql)![1]}`),
        ...Object.entries(PENDING).flatMap(([file, why]) => [
          `pending in ${file} (${why}):`,
          ...offenders.filter((o) => o.file === file).map((o) => `  ${line(o)}`),
        ]),
      ].join('\n'),
    );
    expect(offenders.filter((o) => !PENDING[o.file]).map(line)).toEqual([]);
    expect(Object.keys(PENDING).filter((file) => !offenders.some((o) => o.file === file))).toEqual([]);
  });
});
