import { readFileSync } from 'node:fs';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

/** TLS and API-key options shared by the client and the worker connections (Temporal Cloud). */
function connectionOptions(config: Config, address: string) {
  const tls =
    config.TEMPORAL_TLS || config.TEMPORAL_API_KEY
      ? {
          clientCertPair:
            config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
              ? { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) }
              : undefined,
        }
      : undefined;
  return { address, tls, apiKey: config.TEMPORAL_API_KEY };
}

export async function connectClient(
  config: Config,
  address: string,
  workflowInterceptors: WorkflowClientInterceptor[] = [],
): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(connectionOptions(config, address));
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: workflowInterceptors },
  });
  return { client, connection };
}

export function connectWorker(config: Config, address: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config, address));
}
