/**
 * The Google Drive API v3, as far as Takeout's "Add to Drive" exports are read: `files.list` (the `q`
 * forms below, paging, `fields`) and `files.get` (metadata with `fields`; `alt=media` bytes, honouring
 * `Range`: 206 with `Content-Range`, 416 for a range past the end). Files are added by tests and
 * benchmarks (from bytes or from a file on disk, served without loading it); the bytes of media answers
 * are counted as they are sent. Requests need a token granted the Drive scope. A file can be flagged as
 * malware or spam, as Drive flags some: its download is then Drive's 403 `cannotDownloadAbusiveFile`
 * unless the request says `acknowledgeAbuse=true` (the owner's way to download it); that parameter on
 * a request that downloads nothing is Drive's 403 `invalidAbuseAcknowledgment`.
 *
 * `q`: clauses joined by `and`: `name contains 'x'` (Drive matches the starts of words: here, of the
 * name), `name = 'x'`, `trashed = true|false`, `mimeType = 'x'`, `mimeType != 'x'`, `'ID' in parents`,
 * `'me' in owners` (or another owner's address).
 * Anything else is Drive's 400 `invalid` for `q`.
 *
 * @module
 */

import { json, type RouteHandler, type Service } from "./server.ts";
import { DRIVE_SCOPE, type OAuth } from "./oauth.ts";
const FOLDER = "application/vnd.google-apps.folder";
const ROOT_ID = "root";

/** A file or folder of the emulated Drive. */
export interface DriveEntry {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  modifiedTime: string;
  createdTime: string;
  trashed: boolean;
  /** Flagged as malware or spam: downloads need `acknowledgeAbuse=true`. */
  abusive?: boolean;
  /** Another user's, shared with the user ("Shared with me"); absent: the user's own. */
  owner?: string;
  size?: number;
  /** The bytes, or the file on disk holding them. */
  bytes?: Uint8Array;
  path?: string;
}

/** What {@linkcode DriveApi.add} takes. */
export interface NewDriveFile {
  name: string;
  /** The bytes, or `path`: a file on disk served as it is. */
  bytes?: Uint8Array;
  path?: string;
  /** The folder under My Drive (created when missing); default `Takeout`, as "Add to Drive" makes. */
  folder?: string;
  trashed?: boolean;
  /**
   * When it was modified and when it came into Drive (ISO). Default: a file on disk's modification
   * time (the fixtures date their archives as a delivery of the export would), else now.
   */
  modifiedTime?: string;
  createdTime?: string;
  /** Flagged by Drive as malware or spam (see the module's comment). */
  abusive?: boolean;
  /** Another user's address: the file is theirs, shared with the user (in no folder of My Drive). */
  sharedBy?: string;
}

/** A Drive API error in Drive's shape (`errors[].reason`). */
function driveError(code: number, reason: string, message: string, extra: Record<string, string> = {}) {
  return json(code, { error: { code, message, errors: [{ domain: "global", reason, message, ...extra }] } });
}

/** The Drive API under `/drive/v3/`. */
export class DriveApi implements Service<"driveList" | "driveGet"> {
  readonly routes: readonly RouteHandler<"driveList" | "driveGet">[] = [
    {
      route: "driveList",
      methods: ["GET"],
      path: "/drive/v3/files",
      quota: "api",
      handle: (req, url) => this.#list(req, url),
    },
    {
      route: "driveGet",
      methods: ["GET"],
      path: /^\/drive\/v3\/files\/[^/]+$/,
      quota: "media",
      streamed: true,
      handle: (req, url) => this.#get(req, url),
    },
  ];
  /** Every file and folder by id. */
  readonly files = new Map<string, DriveEntry>();
  /** Bytes of media answers sent so far (reset by tests). */
  bytesServed = 0;
  /** Media answers (`alt=media`) answered so far, with their `Range` header. */
  readonly ranges: string[] = [];

  #oauth: OAuth;
  #next = 1;

  constructor(opts: { oauth: OAuth }) {
    this.#oauth = opts.oauth;
    this.files.set(ROOT_ID, {
      id: ROOT_ID,
      name: "My Drive",
      mimeType: FOLDER,
      parents: [],
      modifiedTime: new Date(0).toISOString(),
      createdTime: new Date(0).toISOString(),
      trashed: false,
    });
  }

  /** Adds a file (in `folder` under My Drive, created when missing); returns its id. */
  async add(file: NewDriveFile): Promise<string> {
    const folder = file.folder ?? "Takeout";
    let parent = [...this.files.values()].find((f) =>
      f.mimeType === FOLDER && f.name === folder && f.parents[0] === ROOT_ID
    );
    if (!parent) {
      parent = this.#entry({ name: folder, mimeType: FOLDER, parents: [ROOT_ID] });
    }
    const stat = file.bytes ? undefined : await Deno.stat(file.path!);
    const size = file.bytes?.length ?? stat!.size;
    const time = (stat?.mtime ?? new Date()).toISOString();
    return this.#entry({
      name: file.name,
      mimeType: /\.zip$/i.test(file.name) ? "application/zip" : "application/x-gzip",
      parents: file.sharedBy ? [] : [parent.id],
      ...(file.sharedBy ? { owner: file.sharedBy } : {}),
      size,
      bytes: file.bytes,
      path: file.path,
      trashed: file.trashed ?? false,
      modifiedTime: file.modifiedTime ?? time,
      createdTime: file.createdTime ?? time,
      ...(file.abusive ? { abusive: true } : {}),
    }).id;
  }

  #entry(fields: Partial<DriveEntry> & { name: string; mimeType: string; parents: string[] }): DriveEntry {
    const id = `1${String(this.#next++).padStart(8, "0")}drv${fields.name.length}`;
    const now = new Date().toISOString();
    const entry: DriveEntry = {
      id,
      trashed: false,
      ...fields,
      modifiedTime: fields.modifiedTime ?? now,
      createdTime: fields.createdTime ?? now,
    };
    this.files.set(id, entry);
    return entry;
  }

  #list(req: Request, url: URL): Response {
    this.#oauth.checkAccess(req, DRIVE_SCOPE);
    const q = url.searchParams.get("q") ?? "";
    const test = parseQuery(q);
    if (!test) {
      return driveError(400, "invalid", "Invalid Value", { location: "q", locationType: "parameter" });
    }
    const pageSize = Math.min(1000, Number(url.searchParams.get("pageSize") ?? 100) || 100);
    const token = url.searchParams.get("pageToken");
    const from = token ? Number(atob(token).split(":")[0]) : 0;
    if (!Number.isSafeInteger(from)) {
      return driveError(400, "invalid", "Invalid Value", { location: "pageToken" });
    }
    const matching = [...this.files.values()].filter((file) => file.id !== ROOT_ID && test(file));
    const page = matching.slice(from, from + pageSize);
    const fields = parseFields(url.searchParams.get("fields"));
    const body: Record<string, unknown> = {
      files: page.map((file) => pick(file, fields.files ?? ["kind", "id", "name", "mimeType"])),
    };
    if (
      from + pageSize < matching.length && (fields.top === undefined || fields.top.includes("nextPageToken"))
    ) {
      body.nextPageToken = btoa(`${from + pageSize}:${q.length}`);
    }
    if (fields.top === undefined || fields.top.includes("kind")) body.kind = "drive#fileList";
    return json(200, body);
  }

  async #get(req: Request, url: URL): Promise<Response> {
    this.#oauth.checkAccess(req, DRIVE_SCOPE);
    const id = decodeURIComponent(url.pathname.split("/").pop()!);
    const file = this.files.get(id);
    if (!file) return driveError(404, "notFound", `File not found: ${id}.`, { location: "fileId" });
    const acknowledged = url.searchParams.get("acknowledgeAbuse") === "true";
    if (url.searchParams.get("alt") !== "media") {
      if (acknowledged) {
        return driveError(
          403,
          "invalidAbuseAcknowledgment",
          "The acknowledgeAbuse parameter is only applicable for download requests.",
          { location: "acknowledgeAbuse", locationType: "parameter" },
        );
      }
      const fields = url.searchParams.get("fields")?.split(",").map((f) => f.trim()) ??
        ["kind", "id", "name", "mimeType"];
      return json(200, pick(file, fields));
    }
    if (file.mimeType === FOLDER) {
      return driveError(403, "fileNotDownloadable", "Only files with binary content can be downloaded.");
    }
    if (file.abusive && !acknowledged) {
      return driveError(
        403,
        "cannotDownloadAbusiveFile",
        "This file has been identified as malware or spam and cannot be downloaded.",
      );
    }
    const size = file.size ?? 0;
    const header = req.headers.get("range");
    this.ranges.push(header ?? "");
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (header) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
      if (!match || (match[1] === "" && match[2] === "")) {
        return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
      }
      if (match[1] === "") {
        start = Math.max(0, size - Number(match[2]));
      } else {
        start = Number(match[1]);
        if (match[2] !== "") end = Math.min(end, Number(match[2]));
      }
      if (start >= size || start > end) {
        return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
      }
      status = 206;
    }
    const length = end - start + 1;
    const headers: Record<string, string> = {
      "content-type": file.mimeType,
      "content-length": String(length),
      "accept-ranges": "bytes",
    };
    if (status === 206) headers["content-range"] = `bytes ${start}-${end}/${size}`;
    return new Response(this.#counted(await this.#bytes(file, start, length)), { status, headers });
  }

  /** `length` bytes of `file` from `start`, streamed. */
  async #bytes(
    file: DriveEntry,
    start: number,
    length: number,
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    if (file.bytes) return new Blob([file.bytes.slice(start, start + length)]).stream();
    const handle = await Deno.open(file.path!);
    await handle.seek(start, Deno.SeekMode.Start);
    let left = length;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        const buffer = new Uint8Array(Math.min(left, 256 * 1024));
        const read = buffer.length === 0 ? null : await handle.read(buffer);
        if (read === null) {
          handle.close();
          return controller.close();
        }
        left -= read;
        controller.enqueue(buffer.subarray(0, read));
      },
      cancel() {
        handle.close();
      },
    });
  }

  /** Counts the bytes of a body as they are sent. */
  #counted(body: ReadableStream<Uint8Array<ArrayBuffer>>): ReadableStream<Uint8Array<ArrayBuffer>> {
    const reader = body.getReader();
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        this.bytesServed += value.length;
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  }
}

/** The `fields` parameter of `files.list`: the top-level names and those inside `files(...)`. */
function parseFields(fields: string | null): { top?: string[]; files?: string[] } {
  if (!fields || fields === "*") return {};
  const inner = /files\(([^)]*)\)/.exec(fields)?.[1];
  const top = fields.replace(/files\([^)]*\)/, "files").split(",").map((f) => f.trim()).filter(Boolean);
  return { top, files: inner?.split(",").map((f) => f.trim()) ?? (top.includes("files") ? undefined : []) };
}

/** The named fields of a file, as Drive sends them (`size` as a string). */
function pick(file: DriveEntry, fields: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    kind: "drive#file",
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    parents: file.parents,
    modifiedTime: file.modifiedTime,
    createdTime: file.createdTime,
    trashed: file.trashed,
    ...(file.size === undefined ? {} : { size: String(file.size) }),
  };
  return Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]));
}

/** A test for the `q` forms listed in the module's comment, or undefined for any other. */
export function parseQuery(q: string): ((file: DriveEntry) => boolean) | undefined {
  if (q.trim() === "") return () => true;
  const tests: ((file: DriveEntry) => boolean)[] = [];
  for (const clause of q.split(/\s+and\s+/i)) {
    const text = clause.trim();
    let match;
    if ((match = /^name\s+contains\s+'((?:[^'\\]|\\.)*)'$/i.exec(text))) {
      const term = unquote(match[1]).toLowerCase();
      tests.push((file) => file.name.toLowerCase().startsWith(term));
    } else if ((match = /^name\s*=\s*'((?:[^'\\]|\\.)*)'$/i.exec(text))) {
      const name = unquote(match[1]);
      tests.push((file) => file.name === name);
    } else if ((match = /^trashed\s*=\s*(true|false)$/i.exec(text))) {
      const trashed = match[1].toLowerCase() === "true";
      tests.push((file) => file.trashed === trashed);
    } else if ((match = /^mimeType\s*(!?=)\s*'([^']*)'$/.exec(text))) {
      const [, op, type] = match;
      tests.push((file) => (file.mimeType === type) === (op === "="));
    } else if ((match = /^'([^']+)'\s+in\s+parents$/.exec(text))) {
      const parent = match[1];
      tests.push((file) => file.parents.includes(parent));
    } else if ((match = /^'([^']+)'\s+in\s+owners$/.exec(text))) {
      const owner = match[1];
      tests.push((file) => (file.owner ?? "me") === owner);
    } else return undefined;
  }
  return (file) => tests.every((test) => test(file));
}

function unquote(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
