import { Duration, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator, CapacityType, Platform, StorageVolume, TfJob } from '../lib';

/** The lab's training script: MultiWorkerMirroredStrategy reads TF_CONFIG, which the operator injects. */
const MNIST_SCRIPT = `import json, os
import tensorflow as tf

print("TF_CONFIG", json.loads(os.environ.get("TF_CONFIG", "{}")).get("task"))
strategy = tf.distribute.MultiWorkerMirroredStrategy()
(x, y), _ = tf.keras.datasets.mnist.load_data()
ds = tf.data.Dataset.from_tensor_slices((x[..., None] / 255.0, y)).shuffle(60000).repeat().batch(64 * strategy.num_replicas_in_sync)
with strategy.scope():
    model = tf.keras.Sequential([
        tf.keras.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10),
    ])
    model.compile(optimizer="adam", metrics=["accuracy"],
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(ds, epochs=3, steps_per_epoch=200)
`;

/** The GPU each platform offers for the examples (plain Kubernetes: whatever the device plugin offers). */
function acceleratorFor(platform: Platform): Accelerator | undefined {
  switch (platform.id) {
    case 'gke-autopilot': return Accelerator.L4;
    case 'gke-standard': return Accelerator.T4;
    case 'karpenter': return Accelerator.A10G;
    default: return undefined;
  }
}

/**
 * TFJobs on every example platform: the Kubeflow training operator is an unprivileged Deployment and the pods it
 * creates are ordinary pods, so it runs on GKE Autopilot as well as on GKE Standard, Karpenter and plain Kubernetes.
 */
export function addTfExamples(scope: Construct, platform: Platform): void {
  const accelerator = acceleratorFor(platform);

  // The reference lab: one Chief + three Workers, one GPU each, the script mounted from a ConfigMap.
  new k8s.KubeConfigMap(scope, 'tf-mnist-script', {
    metadata: { name: 'tf-mnist-script', labels: { 'app.kubernetes.io/instance': 'tf-mnist' } },
    data: { 'train.py': MNIST_SCRIPT },
  });
  new TfJob(scope, 'tf-mnist', {
    platform,
    name: 'tf-mnist',
    image: 'tensorflow/tensorflow:2.14.0-gpu',
    accelerator,
    gpus: 1,
    chief: { replicas: 1 },
    workers: { replicas: 3 },
    script: { configMapName: 'tf-mnist-script', fileName: 'train.py' },
    // The pods run as uid 1000, which has no home directory in the TensorFlow images: caches go to /tmp.
    env: { HOME: '/tmp' },
    activeDeadline: Duration.hours(2),
  });

  // ParameterServerStrategy on Autopilot: CPU-only parameter servers (no GPU selector), GPU workers on Spot.
  if (platform.id === 'gke-autopilot') {
    new TfJob(scope, 'tf-ps', {
      platform,
      image: 'us-docker.pkg.dev/example/ml/tf-recommender:2.14.0',
      args: ['--strategy', 'parameter-server', '--model-dir', '/checkpoints'],
      accelerator,
      gpus: 1,
      cpu: 8,
      memory: Size.gibibytes(32),
      capacityType: CapacityType.SPOT,
      chief: { gpus: 0, cpu: 2, memory: Size.gibibytes(8) },
      workers: { replicas: 4 },
      parameterServers: { replicas: 2, cpu: 4, memory: Size.gibibytes(16) },
      checkpoints: StorageVolume.fromPersistentVolumeClaim('checkpoints'),
    });
  }
}
