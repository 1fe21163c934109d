/**
 * Google Drive as a {@link RemoteStore} of Takeout exports: what Takeout's "Add to Drive" delivers
 * (a `Takeout` folder in My Drive), and any other part Drive search finds. Read only.
 * @module
 */
import type { Store } from "../../../core/store.ts";
import { authorize } from "../../../google/credentials.ts";
import { AbusiveFileError, DriveClient } from "../../../google/drive.ts";
import type { GoogleIo } from "../../../google/io.ts";
import { DRIVE_SCOPE } from "../../../google/oauth.ts";
import type { RetryOptions } from "../../../core/retry.ts";
import type { Logger } from "../../../core/logger.ts";
import type { RemoteFile, RemoteStore } from "../remote/remote_store.ts";

/**
 * The Drive search for Takeout parts: names starting `takeout-` (Drive's `contains` matches the
 * starts of words), not in the trash, no folders, and the user's own: a Takeout someone shared with
 * the user (a relative's, to help them move) is another person's photos, not theirs to back up here.
 * The caller keeps the names that are parts.
 */
export const TAKEOUT_QUERY = "name contains 'takeout-' and trashed = false and " +
  "mimeType != 'application/vnd.google-apps.folder' and 'me' in owners";

/** Google Drive read through `client`; `logger` is told once of each part Drive flagged as abusive. */
export class DriveStore implements RemoteStore {
  readonly description = "Google Drive";
  readonly #client: DriveClient;
  readonly #logger?: Pick<Logger, "warn">;
  /** Folder names by id, for messages. */
  readonly #folders = new Map<string, Promise<string>>();
  /** Files whose abuse flag the user was told of. */
  readonly #flagged = new Set<string>();

  constructor(client: DriveClient, logger?: Pick<Logger, "warn">) {
    this.#client = client;
    this.#logger = logger;
  }

  async *list(signal?: AbortSignal): AsyncGenerator<RemoteFile> {
    for await (const file of this.#client.list(TAKEOUT_QUERY, signal)) {
      const folder = file.parents[0] ? await this.#folderName(file.parents[0], signal) : "";
      yield {
        id: file.id,
        name: file.name,
        location: `Drive: ${folder ? `${folder}/` : ""}${file.name}`,
        size: file.size,
        ...(file.modifiedMs === undefined ? {} : { modifiedMs: file.modifiedMs }),
        ...(file.createdMs === undefined ? {} : { createdMs: file.createdMs }),
      };
    }
  }

  read(
    file: RemoteFile,
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const flagged = () => {
      if (this.#flagged.has(file.id)) return;
      this.#flagged.add(file.id);
      this.#logger?.warn(
        `${file.location}: Drive flagged this part as malware or spam; it is your own Takeout export, ` +
          "so photosync downloads it anyway (acknowledgeAbuse)",
      );
    };
    return this.#client.read(file.id, start, end, signal, flagged).catch((error) => {
      if (error instanceof AbusiveFileError) {
        throw new AbusiveFileError(`${file.location}: ${error.message}`, { cause: error.cause });
      }
      throw error;
    });
  }

  /** A folder's name (the root's is "My Drive"), asked once per folder. */
  #folderName(id: string, signal?: AbortSignal): Promise<string> {
    let name = this.#folders.get(id);
    if (!name) {
      name = this.#client.get(id, signal).then((folder) => folder.parents.length === 0 ? "" : folder.name);
      this.#folders.set(id, name);
    }
    return name;
  }
}

/** How {@link openDriveStore} authorises and reaches Drive. */
export interface DriveStoreOptions {
  /** `--creds`: a client secret file; given, it authorises again. */
  creds?: string;
  /** The Drive API's root (`PHOTOSYNC_DRIVE_URL`; default Google's). */
  apiUrl?: string;
  io?: GoogleIo;
  retry?: RetryOptions;
  idleTimeoutMs?: number;
  logger: Logger;
}

/**
 * A Drive store for the backup whose `sync.db` is `store`: authorised with the Drive scope as
 * `sync` and `pick` authorise theirs (the tokens saved per scope, `PHOTOSYNC_REFRESH_TOKEN`, or the
 * loopback flow when `creds` is given or nothing is saved).
 */
export async function openDriveStore(
  store: Store,
  options: DriveStoreOptions,
  signal?: AbortSignal,
): Promise<DriveStore> {
  const { io = {} } = options;
  const tokens = await authorize(store, {
    ...io,
    scope: DRIVE_SCOPE,
    creds: options.creds,
    logger: options.logger,
    signal,
    onRetry: options.retry?.onRetry,
  });
  return new DriveStore(
    new DriveClient({
      tokens,
      apiUrl: options.apiUrl,
      fetch: io.fetch,
      retry: options.retry,
      idleTimeoutMs: options.idleTimeoutMs,
      signal,
    }),
    options.logger,
  );
}
