import { dirname } from 'node:path';
import {
  Application,
  ConsoleLogger,
  Converter,
  type DeclarationReflection,
  LogLevel,
  ReflectionKind,
} from 'typedoc';
import ts from 'typescript';
import type { ApiEntryPoint } from './api-entry-points';

/** What {@link buildApiReference} builds, and from what. */
export interface ApiReferenceOptions {
  entryPoints: ApiEntryPoint[];
  /** Its compiler options (and the `paths` to the packages' sources) apply. */
  tsconfig: string;
  /** The directory the HTML goes to. */
  out: string;
  name?: string;
}

/** The outcome of a build: it failed when there is any warning or error. */
export interface ApiReferenceReport {
  ok: boolean;
  /** Every warning and error typedoc reported, with its place when it has one. */
  problems: string[];
}

/** Prints like typedoc's console logger and keeps the warnings and errors. */
class CollectingLogger extends ConsoleLogger {
  readonly problems: string[] = [];

  override log(message: string, level: Exclude<LogLevel, LogLevel.None>): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the colours of the console
    if (level >= LogLevel.Warn) this.problems.push(message.replace(/\u001b\[[0-9;]*m/g, ''));
    super.log(message, level);
  }
}

/**
 * Generates the HTML API reference of `entryPoints` with typedoc, treating every warning as an
 * error: a `{@link}` that does not resolve, a type that is referenced but not exported, an export
 * without JSDoc, a tag typedoc does not know. Each module is named by its import specifier. Nothing is written when
 * the build has a problem.
 */
export async function buildApiReference(options: ApiReferenceOptions): Promise<ApiReferenceReport> {
  const sources = options.entryPoints.map((entry) => entry.source);
  const app = await Application.bootstrap(
    {
      name: options.name ?? 'API reference',
      entryPoints: sources,
      entryPointStrategy: 'resolve',
      out: options.out,
      readme: 'none',
      // `pnpm typecheck` type-checks the sources; typedoc only documents them.
      skipErrorChecking: true,
      treatWarningsAsErrors: true,
      treatValidationWarningsAsErrors: true,
      validation: {
        notExported: true,
        invalidLink: true,
        rewrittenLink: true,
        notDocumented: true,
      },
      // Every export has JSDoc (the repository's convention); members may lean on their parent's.
      requiredToBeDocumented: [
        'Class',
        'Interface',
        'TypeAlias',
        'Function',
        'Variable',
        'Enum',
        'Namespace',
        'Method',
        'Accessor',
        'Constructor',
      ],
      excludePrivate: true,
      excludeInternal: true,
      // Source links to the repository on GitHub, without asking git (CI may have no remote).
      disableGit: true,
      displayBasePath: dirname(options.tsconfig),
      sourceLinkTemplate: 'https://github.com/promethean-os/pantheon/blob/main/{path}#L{line}',
    },
    [], // no typedoc.json or tsconfig discovery: everything is set here
  );
  const logger = new CollectingLogger();
  logger.level = LogLevel.Warn;
  app.logger = logger;
  // The program holds the entry points and what they import, not every file of the tsconfig.
  app.options.setCompilerOptions(sources, readCompilerOptions(options.tsconfig), undefined);

  const names = new Map(options.entryPoints.map((entry) => [entry.source, entry.specifier]));
  app.converter.on(
    Converter.EVENT_CREATE_DECLARATION,
    (context, reflection: DeclarationReflection) => {
      if (!reflection.kindOf(ReflectionKind.Module)) return;
      const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile();
      const name = file && names.get(file.fileName);
      if (name) reflection.name = name;
    },
  );

  const project = await app.convert();
  if (project) app.validate(project);
  if (project && !logger.hasErrors() && !logger.hasWarnings()) {
    await app.generateDocs(project, options.out);
  }
  const ok = Boolean(project) && !logger.hasErrors() && !logger.hasWarnings();
  return { ok, problems: logger.problems };
}

function readCompilerOptions(tsconfig: string): ts.CompilerOptions {
  const config = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (config.error)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfig)).options;
}
