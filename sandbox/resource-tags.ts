/**
 * Tags by resource ARN, for ECS's TagResource / UntagResource / ListTagsForResource and the `tags` that
 * Describe* return with `include: ["TAGS"]`. Tagging an ARN the world does not know is
 * ResourceNotFoundException, as in ECS.
 */
import { ApiError } from "./api-error.js";
import type { Tags } from "./world-types.js";

export class ResourceTags {
  private readonly byArn = new Map<string, Tags>();

  constructor(private readonly exists: (arn: string) => boolean) {}

  /** The resource's tags ({} when none). */
  get(arn: string): Tags {
    return this.byArn.get(arn) ?? {};
  }

  /** Adds or overwrites `tags` (no existence check: used while creating the resource). */
  add(arn: string, tags: Tags): void {
    this.byArn.set(arn, { ...this.get(arn), ...tags });
  }

  /** Forgets a resource's tags (a service re-created under the same ARN starts clean). */
  reset(arn: string): void {
    this.byArn.delete(arn);
  }

  /** The tags of a resource that must exist. */
  of(arn: string): Tags {
    if (!this.exists(arn)) {
      throw new ApiError("ResourceNotFoundException", "The specified resource could not be found.");
    }
    return this.get(arn);
  }

  tag(arn: string, tags: Tags): void {
    this.of(arn);
    this.add(arn, tags);
  }

  untag(arn: string, keys: readonly string[]): void {
    const tags = { ...this.of(arn) };
    for (const key of keys) delete tags[key];
    this.byArn.set(arn, tags);
  }
}
