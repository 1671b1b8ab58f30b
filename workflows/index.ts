export { connectionCheck } from './connection-check.js';
