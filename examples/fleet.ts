import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CapacityReservation, CapacityType, ComputeClass, ComputeClassCapacity, DdpJob, GkePlatform, GpuFleet, GpuFlavor, GpuNodePool,
  GpuPlanReport, GpuPriceTable, GpuTrainingJob, InferenceDeployment, KarpenterPlatform, Platform, PriorityClass, ReclaimWithinCohort,
  ScalingMetric, SpotBatchJob, Topology, TopologyPlacement,
} from '../lib';

const TRAINER = 'us-docker.pkg.dev/example/ml/trainer:2.4.0';
const SERVER = 'vllm/vllm-openai:v0.11.0';

/**
 * The mixed-GPU plan as code: H100s for production (training and serving), A100s for research with a quota of 32
 * GPUs, and spot capacity of both for batch sweeps, as Kueue teams in one cohort, with the production priority.
 *
 * - GKE: compute classes are the capacity ladders (production: the H100 reservation, then on-demand; research: A100
 *   Spot, then on-demand), a flex-start evaluation job, and a DWS team whose pretraining waits for all its nodes at
 *   once (queued provisioning).
 * - Karpenter: H100 pools weighted reserved (a Capacity Block) -> spot -> on-demand, an A100 pool, and flavors per
 *   capacity type.
 * - Every chart: the GPU plan report (`dist/extras/<chart>.gpu-plan.md` and `.json`).
 */
export function addFleetExamples(scope: Construct, platform: Platform): void {
  if (platform.id === 'gke-autopilot' || platform.id === 'gke-standard') addGkePlan(scope, platform);
  if (platform.id === 'karpenter') addKarpenterPlan(scope, platform);
  // No cloud list prices on plain Kubernetes: the chart's own price (as in its GpuMonitoring).
  const prices = platform.id === 'kubernetes' ? GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1.2, spotPerHour: 1.2 }]) : undefined;
  new GpuPlanReport(scope, 'gpu-plan', { platform, prices });
}

/** The teams and priorities of the plan; `production` and `research` name each team's GPU flavors. */
function fleetOf(scope: Construct, platform: Platform, production: GpuFlavor[], research: GpuFlavor, dws?: GpuFlavor, topology?: Topology): GpuFleet {
  return new GpuFleet(scope, 'gpu-fleet', {
    platform,
    name: 'gpu',
    // Kueue topology-aware scheduling: every flavor names the cluster's Topology, so workloads can ask to share a domain.
    topology,
    priorities: [
      { name: 'production', value: 100000, description: 'Production training and serving: admitted first, preempts research.' },
      { name: 'research', value: 1000, description: 'Experiments and sweeps.' },
    ],
    teams: [
      {
        name: 'production', namespace: 'ml-production',
        quotas: [
          // 32 H100s of the first flavor (the reservation), 16 more on-demand on Karpenter; half of the 32 lent when idle.
          ...production.map((flavor, i) => (i === 0 ? { flavor, gpus: 32, lendingLimit: 16 } : { flavor, gpus: 16 })),
          // Production's 16 A100s (evaluation), all lent to research while production does not use them.
          { flavor: research, gpus: 16 },
        ],
      },
      // The plan's research quota: 32 A100s, and up to 16 more borrowed (production's idle A100s).
      { name: 'research', namespace: 'ml-research', quotas: [{ flavor: research, gpus: 32, borrowingLimit: 16 }] },
      {
        name: 'spot', namespace: 'ml-research',
        // Spot work never preempts borrowers to take back what it lent: it waits (it is cheap to restart anyway).
        reclaimWithinCohort: ReclaimWithinCohort.NEVER,
        quotas: [{ flavor: GpuFlavor.spot(Accelerator.H100_80GB), gpus: 16 }, { flavor: GpuFlavor.spot(Accelerator.A100_80GB), gpus: 32 }],
      },
      ...(dws ? [{ name: 'dws', namespace: 'ml-research', queuedProvisioning: true, quotas: [{ flavor: dws, gpus: 16 }] }] : []),
    ],
  });
}

function addGkePlan(scope: Construct, platform: Platform): void {
  const production = new ComputeClass(scope, 'production-h100', {
    platform,
    name: 'production-h100',
    description: 'Production H100s: the reservation first, on-demand when it is full.',
    priorities: [
      { accelerator: Accelerator.H100_80GB, gpus: 8, machineType: 'a3-highgpu-8g', capacity: ComputeClassCapacity.reservations(['h100-production']) },
      { accelerator: Accelerator.H100_80GB, gpus: 8, machineType: 'a3-highgpu-8g' },
    ],
  });
  const research = new ComputeClass(scope, 'research-a100', {
    platform,
    name: 'research-a100',
    description: 'Research A100s: Spot VMs first, on-demand when none are left.',
    priorities: [
      { accelerator: Accelerator.A100_80GB, gpus: 8, machineType: 'a2-ultragpu-8g', capacity: ComputeClassCapacity.SPOT },
      { accelerator: Accelerator.A100_80GB, gpus: 8, machineType: 'a2-ultragpu-8g' },
    ],
  });
  // GKE Standard exposes the network topology of A3/A4 machines as node labels (block, sub-block, host).
  const topology = platform.id === 'gke-standard' ? new Topology(scope, 'gpu-topology', { platform, name: 'gke-gpu' }) : undefined;
  const fleet = fleetOf(scope, platform, [GpuFlavor.ofComputeClass(production)], GpuFlavor.ofComputeClass(research),
    GpuFlavor.of(Accelerator.H100_80GB, CapacityType.FLEX_START), topology);
  workloads(scope, platform, fleet, {
    production, research,
    // All 4 nodes of the research DDP in one block (NCCL traffic stays inside it).
    researchTopology: topology ? TopologyPlacement.required(topology, GkePlatform.TOPOLOGY_BLOCK_LABEL) : undefined,
  });

  // A flex-start job outside the queues: it waits for a flex-start H100 and runs at most 6 hours.
  new GpuTrainingJob(scope, 'flex-eval', {
    platform, name: 'flex-eval', namespace: 'ml-research', image: TRAINER, command: ['python', '-m', 'eval'],
    accelerator: Accelerator.H100_80GB, gpus: 1, capacityType: CapacityType.FLEX_START, activeDeadline: Duration.hours(6),
  });
  // Queued provisioning: Kueue admits the pretraining once GKE has made all 16 GPUs (2 nodes) at once.
  new DdpJob(scope, 'dws-pretrain', {
    platform, name: 'dws-pretrain', namespace: 'ml-research', image: TRAINER, module: 'pretrain', accelerator: Accelerator.H100_80GB, gpus: 8,
    cpu: 32, memory: Size.gibibytes(128), nodes: 2, capacityType: CapacityType.FLEX_START, activeDeadline: Duration.hours(20), queue: fleet.queue('dws'), workloadPriority: fleet.priority('research'),
  });
}

function addKarpenterPlan(scope: Construct, platform: Platform): void {
  const aws = { platform, role: 'KarpenterNodeRole-ml-cluster', clusterName: 'ml-cluster' };
  // H100 capacity: the Capacity Block first, then spot, then on-demand (NodePool weights).
  new GpuNodePool(scope, 'h100-reserved', {
    ...aws, name: 'h100-reserved', accelerator: Accelerator.H100_80GB, gpusPerNode: [8], gpuLimit: 32, weight: 100,
    capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.id('cr-0a1b2c3d4e5f67890')],
  });
  new GpuNodePool(scope, 'h100-spot', { ...aws, name: 'h100-spot', accelerator: Accelerator.H100_80GB, gpuLimit: 16, weight: 50, capacityType: CapacityType.SPOT });
  new GpuNodePool(scope, 'h100-on-demand', {
    ...aws, name: 'h100-on-demand', accelerator: Accelerator.H100_80GB, gpuLimit: 16, weight: 10, capacityType: CapacityType.ON_DEMAND,
  });
  new GpuNodePool(scope, 'a100', { ...aws, name: 'a100', accelerator: Accelerator.A100_80GB, gpuLimit: 80, capacityType: CapacityType.SPOT_WITH_FALLBACK });
  const topology = new Topology(scope, 'gpu-topology', { platform, name: 'aws-gpu' });
  const fleet = fleetOf(scope, platform, [GpuFlavor.of(Accelerator.H100_80GB, CapacityType.RESERVED), GpuFlavor.onDemand(Accelerator.H100_80GB)],
    GpuFlavor.onDemand(Accelerator.A100_80GB), undefined, topology);
  // The research DDP's nodes in as few EC2 network layer-3 domains as Kueue can find.
  workloads(scope, platform, fleet, { researchTopology: TopologyPlacement.preferred(topology, `${KarpenterPlatform.NETWORK_NODE_LAYER_LABEL_PREFIX}3`) });
}

/** The plan's workloads, queued to their teams. */
function workloads(scope: Construct, platform: Platform, fleet: GpuFleet,
  classes: { production?: ComputeClass; research?: ComputeClass; researchTopology?: TopologyPlacement }): void {
  const production = { platform, namespace: 'ml-production', queue: fleet.queue('production'), workloadPriority: fleet.priority('production') };
  const research = { platform, namespace: 'ml-research', queue: fleet.queue('research'), workloadPriority: fleet.priority('research') };
  // Production fine-tuning on 8 H100s, at most a day; the pods also carry the cluster's production PriorityClass.
  new GpuTrainingJob(scope, 'prod-finetune', {
    ...production, name: 'prod-finetune', image: TRAINER, command: ['python', '-m', 'finetune'], accelerator: Accelerator.H100_80GB, gpus: 8,
    cpu: 32, memory: Size.gibibytes(128),
    computeClass: classes.production, capacityType: classes.production ? undefined : CapacityType.RESERVED,
    priorityClass: PriorityClass.fromName('gpu-production'), activeDeadline: Duration.hours(24),
  });
  // Production serving: 2 to 6 replicas of 1 H100 (Kueue admits each pod as it is created).
  new InferenceDeployment(scope, 'prod-serving', {
    ...production, name: 'prod-serving', image: SERVER, accelerator: Accelerator.H100_80GB, computeClass: classes.production,
    minReplicas: 2, maxReplicas: 6, scalingMetrics: [ScalingMetric.cpu(70)], priorityClass: PriorityClass.fromName('gpu-production'),
  });
  // Research: DDP on 4 nodes x 8 A100s = the team's 32 GPUs, at most 3 days.
  new DdpJob(scope, 'research-ddp', {
    ...research, name: 'research-ddp', image: TRAINER, module: 'train', accelerator: Accelerator.A100_80GB, gpus: 8, nodes: 4,
    cpu: 32, memory: Size.gibibytes(128),
    computeClass: classes.research, activeDeadline: Duration.days(3), topology: classes.researchTopology,
  });
  // A spot sweep: 64 trials, 16 at once on 1 A100 each, at most 12 hours.
  new SpotBatchJob(scope, 'spot-sweep', {
    platform, namespace: 'ml-research', name: 'spot-sweep', image: TRAINER, command: ['python', '-m', 'sweep', '--trial', '$(SHARD_INDEX)'],
    accelerator: Accelerator.A100_80GB, completions: 64, parallelism: 16, activeDeadline: Duration.hours(12),
    queue: fleet.queue('spot'), workloadPriority: fleet.priority('research'),
  });
}
