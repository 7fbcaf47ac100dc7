import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, JupyterHubGpuProfiles, KubeflowNotebook, Platform, StatefulSetNotebook, StorageVolume, WandbLaunchAgent,
  WandbLaunchQueue,
} from '../lib';

/** The GPU each example cluster's notebooks, profiles and launch queue use (undefined: any GPU of the device plugin). */
function gpuOf(platform: Platform): Accelerator | undefined {
  switch (platform.id) {
    case 'gke-autopilot': return Accelerator.L4;
    case 'gke-standard': return Accelerator.T4;
    case 'karpenter': return Accelerator.A10G;
    default: return undefined;
  }
}

/**
 * Notebooks and experiment tooling on each platform: a researcher's GPU notebook (a Kubeflow Notebook, or a plain
 * StatefulSet on the cluster without Kubeflow), the JupyterHub profile list of the cluster (written to
 * dist/extras/<platform>.jupyterhub-values.yml), and a W&B Launch agent with one GPU queue whose Job template is
 * written to dist/extras/<platform>.gpu-training.launch-queue.json.
 */
export function addNotebookExamples(scope: Construct, platform: Platform): void {
  const group = new Construct(scope, 'notebooks');
  const accelerator = gpuOf(platform);
  const notebook = {
    platform,
    accelerator,
    memory: Size.gibibytes(32),
    workspaceSize: Size.gibibytes(50),
    dataset: StorageVolume.fromPersistentVolumeClaim('datasets'),
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
  };
  if (platform.id === 'kubernetes') {
    new StatefulSetNotebook(group, 'research', {
      ...notebook,
      image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12',
      token: { secretName: 'research-notebook', key: 'token' },
    });
  } else {
    new KubeflowNotebook(group, 'research', { ...notebook, image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0' });
  }

  new JupyterHubGpuProfiles(group, 'hub', {
    platform,
    profiles: [
      { displayName: 'CPU only: 2 cores, 4 GiB', description: 'Data exploration without a GPU', default: true },
      { displayName: `1 GPU${accelerator ? ` (${accelerator.name})` : ''}`, accelerator, gpus: 1, description: 'Fine-tuning and inference' },
      { displayName: `4 GPUs${accelerator ? ` (${accelerator.name})` : ''}`, accelerator, gpus: 4, cpu: 16, memory: Size.gibibytes(96), description: 'Multi-GPU experiments' },
    ],
  });

  // W&B Launch: runs of the gpu-training queue are Jobs in their own namespace, apart from the team's other Secrets.
  const queue = new WandbLaunchQueue(group, 'queue', {
    platform,
    name: 'gpu-training',
    namespace: 'ml-launch',
    accelerator,
    gpus: 1,
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
    checkpoints: StorageVolume.fromPersistentVolumeClaim('launch-checkpoints'),
    activeDeadline: Duration.hours(24),
  });
  new WandbLaunchAgent(group, 'wandb-agent', {
    platform,
    image: 'wandb/launch-agent:0.28.2',
    apiKey: { secretName: 'wandb', key: 'api-key' },
    entity: 'example-team',
    queues: [queue],
  });
}
