/**
 * What a preview renders in place of an output that only provisioning tells
 * (a resource not created yet): the placeholder it stands for, never a
 * made-up value. Like Terraform's "(known after apply)".
 *
 * @public
 */
export function knownAfterProvisioning(ref: string): string {
  return `(known after provisioning: ${ref})`;
}
