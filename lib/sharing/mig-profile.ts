/**
 * A Multi-Instance GPU (MIG) profile: a fixed slice of one GPU with its own compute, memory and cache, named
 * `<compute slices>g.<memory>gb` as `nvidia-smi mig -lgip` prints it (`1g.5gb`, `3g.40gb`, `1g.10gb+me`). Which profiles a
 * GPU offers depends on the model and the platform: see `Accelerator.migProfiles` (NVIDIA's MIG manager) and
 * `Accelerator.gkeMigProfiles` (GKE's partition sizes).
 */
export class MigProfile {
  /** A profile by its name, e.g. `MigProfile.of('1g.5gb')`. */
  public static of(name: string): MigProfile {
    return new MigProfile(name);
  }

  /** The profile name, e.g. `1g.5gb`. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** Compute slices of the profile (the number before `g`), e.g. 3 for `3g.40gb`; 0 when the name is malformed. */
  public get computeSlices(): number {
    const m = /^([1-9])g\./.exec(typeof this.name === 'string' ? this.name : '');
    return m ? Number(m[1]) : 0;
  }

  /**
   * The extended resource the NVIDIA device plugin advertises for this profile under the `mixed` MIG strategy, e.g.
   * `nvidia.com/mig-1g.5gb` (an attribute such as `+me` is written `.me`).
   */
  public get mixedResourceName(): string {
    return `nvidia.com/mig-${this.labelValue}`;
  }

  /**
   * The profile as a label value (`+` is not allowed there, NVIDIA writes it `.`), e.g. `1g.10gb.me`; the name of the MIG
   * manager's layout that cuts every GPU of a node into this profile is `all-` followed by it.
   */
  public get labelValue(): string {
    return String(this.name).replace(/\+/g, '.');
  }

  /** The name. */
  public toString(): string {
    return this.name;
  }

  /**
   * Why the name is no MIG profile name, if it is not.
   * @internal
   */
  public _problem(): string | undefined {
    if (typeof this.name !== 'string' || !/^[1-9]g\.[1-9][0-9]{0,3}gb([+-](me|gfx|me\.all))?$/.test(this.name)) {
      return 'must be a MIG profile name like "1g.5gb" or "3g.40gb" (compute slices, "g.", memory in GB)';
    }
    return undefined;
  }
}
