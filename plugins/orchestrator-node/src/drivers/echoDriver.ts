import { Driver } from './types';

/**
 * `echo`: resources that exist already. The definition's (resolved)
 * `driverInputs.values` become outputs and `driverInputs.secrets` secret
 * outputs.
 *
 * @public
 */
export const echoDriver: Driver = {
  id: 'echo',
  pure: true,
  // Any values: the schema only says what they are for.
  inputsSchema: {
    type: 'object',
    description: "Any values: they become the resource's outputs, and driverInputs.secrets its secret outputs (for resources that exist already).",
  },
  async provision(ctx) {
    return { outputs: { ...ctx.inputs }, secrets: { ...ctx.secrets } };
  },
};

/**
 * `workload`: the built-in workload definition's driver. The workload's
 * Kubernetes objects are rendered from its Score file after its resources are
 * provisioned; a platform team's own workload definition (e.g. on the
 * template driver) can add manifests that are merged in.
 *
 * @public
 */
export const workloadDriver: Driver = {
  id: 'workload',
  pure: true,
  async provision() {
    return { outputs: {}, secrets: {} };
  },
};
