/**
 * The one font charts are drawn and rasterised with: DejaVu Sans from the `dejavu-fonts-ttf` package.
 * The PNG must look the same on a laptop, in CI and in a slim container with no fonts installed, so
 * resvg never loads system fonts and ECharts lays text out for this family only. Resolving the files
 * happens here and nowhere else.
 */
import { createRequire } from "node:module";
import { KanariaError } from "../domain/kanaria-error.js";

/** The family name ECharts writes into the SVG and resvg falls back to. */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** Package-relative specifiers: regular for labels, bold for the title and emphasised text. */
const FONT_SPECIFIERS = ["dejavu-fonts-ttf/ttf/DejaVuSans.ttf", "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"];

export type ResolveModule = (specifier: string) => string;

const defaultResolve: ResolveModule = (specifier) => createRequire(import.meta.url).resolve(specifier);

let cached: readonly string[] | undefined;

/**
 * Absolute paths of the chart font files. Throws a `KanariaError` with code `CHART_FONT_MISSING` when the
 * package cannot be found (an install that skipped it). `resolve` is for tests; with the default the
 * result is cached.
 */
export function chartFontFiles(resolve?: ResolveModule): readonly string[] {
  if (resolve === undefined && cached !== undefined) return cached;
  const files = FONT_SPECIFIERS.map((specifier) => {
    try {
      return (resolve ?? defaultResolve)(specifier);
    } catch (cause) {
      throw new KanariaError(
        "CHART_FONT_MISSING",
        `the chart font ${specifier} was not found: install the "dejavu-fonts-ttf" package (it is a dependency of Kanaria; was the install partial?)`,
        { cause },
      );
    }
  });
  if (resolve === undefined) cached = files;
  return files;
}
