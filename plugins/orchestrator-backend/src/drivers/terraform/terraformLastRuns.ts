import type { ActiveResourceRecord } from '../../database/DeploymentStore';
import type { DefinitionService } from '../../service/DefinitionService';
import type { TerraformRunSummary } from '../../database/TerraformStateStore';
import type { TerraformDriver } from './TerraformDriver';

/**
 * The last Terraform run of each of `resources` that a `terraform`
 * definition provides, by guresid, for the resources API; others have none.
 *
 * @internal
 */
export function terraformLastRuns(
  terraform: TerraformDriver,
  definitions: Pick<DefinitionService, 'all'>,
): (resources: ActiveResourceRecord[]) => Promise<Map<string, TerraformRunSummary>> {
  return async resources => {
    const byTerraform = new Set(definitions.all().filter(d => d.definition.spec.driver === terraform.id).map(d => d.definition.metadata.id));
    const guresids = resources.filter(r => byTerraform.has(r.definitionId)).map(r => r.guresid);
    return guresids.length ? terraform.lastRuns(guresids) : new Map();
  };
}
