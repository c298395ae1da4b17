/**
 * `@promethean-os/pantheon-adapters/winston`: `createWinstonLog`, the runtime's `log` on a winston
 * logger, with secrets redacted. Needs the optional peer `winston`.
 *
 * @packageDocumentation
 */
export { createWinstonLog, type WinstonLogOptions } from './create-winston-log';
