// Connections

export type { ClientTarget, SqlClient, SqlSession } from './client.ts';
export { openClient } from './client.ts';
