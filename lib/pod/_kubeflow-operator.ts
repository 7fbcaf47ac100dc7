// Constants of the Kubeflow training operator v1, in a module lib/index.ts does not re-export: a top-level constant of
// a public module would ship in the JavaScript API (jsii drops it for every other language).

/** API version of the Kubeflow training operator v1 kinds (TFJob, PyTorchJob). @internal */
export const _KUBEFLOW_API_VERSION = 'kubeflow.org/v1';

/**
 * Main container and port names the Kubeflow training operator looks for: it injects `TF_CONFIG` / `MASTER_ADDR`,
 * `WORLD_SIZE`... and the replica ports only into the container with this name (kubeflow/trainer#563).
 * @internal
 */
export const _KUBEFLOW_CONTAINER = {
  tensorflow: { containerName: 'tensorflow', portName: 'tfjob-port', port: 2222 },
  pytorch: { containerName: 'pytorch', portName: 'pytorchjob-port', port: 23456 },
};
