// Constants of Kubeflow Trainer v2, in a module lib/index.ts does not re-export: a top-level constant of a public module
// would ship in the JavaScript API (jsii drops it for every other language).

/** The Trainer API of TrainJobs and runtimes (Kubeflow Trainer v2.3). @internal */
export const _TRAINER_API_VERSION = 'trainer.kubeflow.org/v1alpha1';
/** Label that tells the torch plugin which replicated Job runs the trainer nodes (`trainer.kubeflow.org/trainjob-ancestor-step`). @internal */
export const _ANCESTOR_LABEL = 'trainer.kubeflow.org/trainjob-ancestor-step';
/** The replicated Job and the container the torch plugin fills (constants.Node). @internal */
export const _NODE = 'node';
