/** JSON columns hold objects the store itself wrote; parsing failures mean corruption, so they throw. */
import { KanariaError } from "../domain/kanaria-error.js";

export function parseJsonColumn<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new KanariaError("STORE_CORRUPT", `unreadable JSON in ${where}`, { cause });
  }
}
