import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { Snippet } from './markdown-snippets';

/** A type error in a snippet, at its place in the markdown file. */
export interface SnippetDiagnostic {
  file: string;
  line: number;
  column: number;
  /** TypeScript's error number, e.g. 2305. */
  code: number;
  message: string;
}

/** What {@link checkSnippets} found. */
export interface SnippetReport {
  /** Blocks type-checked whole. */
  checked: number;
  /** Blocks marked partial, of which only the imports were checked. */
  partial: number;
  diagnostics: SnippetDiagnostic[];
}

/** Where and against what the snippets are checked. */
export interface SnippetCheckOptions {
  /** The repository root: markdown paths are relative to it. */
  root: string;
  /** The tsconfig whose compiler options (and `paths` to the package sources) apply. */
  tsconfig: string;
  /**
   * Directories whose `node_modules` a snippet may import from when its own location has no such
   * module: a user's app installs the packages' dependencies (`zod`, `openai`, …) next to them.
   */
  dependencyRoots?: string[];
  /**
   * Declaration files checked with every snippet: the shared preamble of names the docs use for
   * the reader's own objects. Their declarations are global, so a snippet's own shadow them.
   */
  declarations?: string[];
}

interface VirtualFile {
  snippet: Snippet;
  text: string;
  /** Lines of the file that come from the preamble. */
  preambleLines: number;
}

/**
 * Type-checks each snippet as a module of its own, placed next to its markdown file, against the
 * compiler options of `options.tsconfig`. A preamble is put in front of its block; a partial
 * block keeps only its `import` declarations (so a renamed export still fails it).
 */
export function checkSnippets(snippets: Snippet[], options: SnippetCheckOptions): SnippetReport {
  const compilerOptions = readCompilerOptions(options.tsconfig);
  const files = new Map<string, VirtualFile>();
  snippets.forEach((snippet, index) => {
    const name = resolve(options.root, `${snippet.file}.snippet-${snippet.line}-${index}.ts`);
    files.set(name, virtualFile(snippet));
  });

  const host = ts.createCompilerHost(compilerOptions, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name)?.text ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, ...rest) => {
    const file = files.get(name);
    return file
      ? ts.createSourceFile(name, file.text, languageVersion, true)
      : getSourceFile.call(host, name, languageVersion, ...rest);
  };
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (name) => name);
  const fallbacks = (options.dependencyRoots ?? []).map((dir) => join(dir, '__snippet__.ts'));
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, resolutionOptions) =>
    literals.map((literal) => {
      const resolveFrom = (from: string) =>
        ts.resolveModuleName(literal.text, from, resolutionOptions, host, cache, redirected);
      const resolved = resolveFrom(containingFile);
      if (resolved.resolvedModule || !files.has(containingFile) || literal.text.startsWith('.')) {
        return resolved;
      }
      for (const from of fallbacks) {
        const fallback = resolveFrom(from);
        if (fallback.resolvedModule) return fallback;
      }
      return resolved;
    });

  const declarations = options.declarations ?? [];
  const program = ts.createProgram({
    rootNames: [...declarations, ...files.keys()],
    options: compilerOptions,
    host,
  });
  const diagnostics: SnippetDiagnostic[] = [];
  for (const diagnostic of program.getOptionsDiagnostics()) {
    diagnostics.push(toDiagnostic(diagnostic, options.tsconfig, 0, 0));
  }
  const diagnosticsOf = (source: ts.SourceFile) => [
    ...program.getSyntacticDiagnostics(source),
    ...program.getSemanticDiagnostics(source),
  ];
  for (const name of declarations) {
    const source = program.getSourceFile(name)!;
    for (const diagnostic of diagnosticsOf(source)) {
      const position = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      diagnostics.push(toDiagnostic(diagnostic, name, position.line + 1, position.character + 1));
    }
  }
  for (const [name, file] of files) {
    for (const diagnostic of diagnosticsOf(program.getSourceFile(name)!)) {
      diagnostics.push(place(diagnostic, file));
    }
  }
  return {
    checked: snippets.filter((snippet) => snippet.mode === 'check').length,
    partial: snippets.filter((snippet) => snippet.mode === 'partial').length,
    diagnostics,
  };
}

/** The directory of each workspace package under `packagesDir`. */
export function packageDirectories(packagesDir: string): string[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')),
    )
    .map((entry) => join(packagesDir, entry.name));
}

function readCompilerOptions(tsconfig: string): ts.CompilerOptions {
  const config = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (config.error) throw new Error(flatten(config.error.messageText));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfig));
  // Snippets are modules that declare what they show and use little of it.
  return { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
}

function virtualFile(snippet: Snippet): VirtualFile {
  const code = snippet.mode === 'partial' ? importsOnly(snippet.code) : snippet.code;
  const preamble = snippet.preamble ? `${snippet.preamble.code}\n` : '';
  // `export {}` makes every block a module, so blocks never see each other's declarations.
  return {
    snippet,
    text: `${preamble}${code}\nexport {};\n`,
    preambleLines: preamble === '' ? 0 : preamble.split('\n').length - 1,
  };
}

/**
 * The block with every line that is not part of an `import` declaration blanked out. Relative
 * imports go too: they name the reader's own files.
 */
function importsOnly(code: string): string {
  const source = ts.createSourceFile('partial.ts', code, ts.ScriptTarget.Latest, true);
  const keep = new Set<number>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) continue;
    const first = source.getLineAndCharacterOfPosition(statement.getStart(source)).line;
    const last = source.getLineAndCharacterOfPosition(statement.getEnd()).line;
    for (let line = first; line <= last; line += 1) keep.add(line);
  }
  return code
    .split('\n')
    .map((line, index) => (keep.has(index) ? line : ''))
    .join('\n');
}

function place(diagnostic: ts.Diagnostic, file: VirtualFile): SnippetDiagnostic {
  const { snippet } = file;
  if (!diagnostic.file || diagnostic.start === undefined) {
    return toDiagnostic(diagnostic, snippet.file, snippet.line, 1);
  }
  const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const inPreamble = position.line < file.preambleLines && snippet.preamble;
  const line = inPreamble
    ? snippet.preamble!.line + position.line
    : snippet.line + position.line - file.preambleLines;
  return toDiagnostic(diagnostic, snippet.file, line, position.character + 1);
}

function toDiagnostic(
  diagnostic: ts.Diagnostic,
  file: string,
  line: number,
  column: number,
): SnippetDiagnostic {
  return { file, line, column, code: diagnostic.code, message: flatten(diagnostic.messageText) };
}

function flatten(message: string | ts.DiagnosticMessageChain): string {
  return ts.flattenDiagnosticMessageText(message, '\n');
}

/** `file:line:column - error TS1234: message`, the way tsc prints, with `file` relative to `root`. */
export function formatDiagnostic(diagnostic: SnippetDiagnostic, root: string): string {
  const file = relative(root, resolve(root, diagnostic.file));
  return `${file}:${diagnostic.line}:${diagnostic.column} - error TS${diagnostic.code}: ${diagnostic.message}`;
}
