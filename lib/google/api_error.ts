/**
 * An error answer from a Google API (`{"error":{"code","message","status"}}`), as the error
 * photosync acts on: its HTTP status and Google's status string decide retry, quota or stop.
 * @module
 */
import { PhotosyncError } from "../core/errors.ts";

/** An error answer from a Google API: `{"error":{"code","message","status"}}`. */
export class ApiError extends PhotosyncError {
  /** HTTP status of the response. */
  readonly httpStatus: number;
  /** Google's status string, e.g. `RESOURCE_EXHAUSTED`. */
  readonly status: string;
  constructor(httpStatus: number, status: string, message: string, options?: ErrorOptions) {
    super(`Google API error ${httpStatus} ${status}: ${message}`, options);
    this.name = "ApiError";
    this.httpStatus = httpStatus;
    this.status = status;
  }
}
