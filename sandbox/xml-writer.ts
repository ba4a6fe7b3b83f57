/**
 * Just enough XML for AWS Query responses: objects become nested elements, arrays become `<member>`
 * lists, Dates ISO 8601, other values text; `undefined` and `null` members are left out.
 */

export function xmlElement(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${xmlContent(value)}</${name}>`;
}

function xmlContent(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => xmlElement("member", item)).join("");
  if (typeof value === "object" && value !== null) {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => xmlElement(key, child))
      .join("");
  }
  return escapeXml(String(value));
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
