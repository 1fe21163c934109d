/**
 * Google's API roots and the picker's limit: constants only, which the clients take as defaults and the
 * commands' help texts name, so that `--help` loads no client (nor its OAuth and HTTP modules).
 * @module
 */

/** Google's Library API root; `PHOTOSYNC_API_URL` replaces it (e.g. with the emulator). */
export const GOOGLE_API_URL = "https://photoslibrary.googleapis.com";

/** Google's Picker API root; `PHOTOSYNC_PICKER_URL` replaces it (e.g. with the emulator). */
export const GOOGLE_PICKER_URL = "https://photospicker.googleapis.com";

/** Most items one picking session lets the user pick (Google's default and maximum): `pick --max`'s bound. */
export const MAX_ITEM_COUNT = 2000;

/** The Drive API's root (the client adds `/drive/v3/…`); `PHOTOSYNC_DRIVE_URL` replaces it. */
export const DRIVE_API_URL = "https://www.googleapis.com";
