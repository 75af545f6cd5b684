// Validates an AsyncAPI document (YAML or JSON) with the official parser: the AsyncAPI JSON Schema
// of its version and the parser's own rules. One line per finding; exit 0 only for a 3.x document
// with no error. Usage: node validate.mjs <file>
import { Parser, fromFile } from '@asyncapi/parser';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node validate.mjs <asyncapi file>');
  process.exit(2);
}

// Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
const SEVERITY = ['error', 'warning', 'info', 'hint'];
const { document, diagnostics } = await fromFile(new Parser(), file).parse();
for (const diagnostic of diagnostics) {
  const where = diagnostic.path.length ? diagnostic.path.join('.') : '(document)';
  console.log(`${SEVERITY[diagnostic.severity] ?? 'error'} ${where}: ${diagnostic.message} [${diagnostic.code}]`);
}
const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0).length;
if (document === undefined || errors > 0) {
  console.log(`invalid: ${errors} error(s)`);
  process.exit(1);
}
const version = document.version();
if (!version.startsWith('3.')) {
  console.log(`error (document): AsyncAPI ${version}, not 3.x [asyncapi-version]`);
  process.exit(1);
}
console.log(`valid: AsyncAPI ${version}, ${diagnostics.length} finding(s) below error`);
