export { createWinstonLog, type WinstonLogOptions } from './create-winston-log';
