import { Cloud } from '../platform/platform';

/**
 * A cloud identity for a workload's own ServiceAccount: GKE Workload Identity or EKS IAM Roles for Service Accounts.
 */
export class CloudIdentity {
  /** GKE Workload Identity: the Kubernetes ServiceAccount acts as this Google service account. */
  public static gcpServiceAccount(email: string): CloudIdentity {
    return new CloudIdentity(Cloud.GCP, 'iam.gke.io/gcp-service-account', email);
  }

  /** EKS IRSA: the Kubernetes ServiceAccount assumes this IAM role. */
  public static awsIamRole(roleArn: string): CloudIdentity {
    return new CloudIdentity(Cloud.AWS, 'eks.amazonaws.com/role-arn', roleArn);
  }

  /** The cloud this identity belongs to. */
  public readonly cloud: Cloud;
  /** ServiceAccount annotation key. */
  public readonly annotationKey: string;
  /** ServiceAccount annotation value (the e-mail or role ARN). */
  public readonly value: string;

  private constructor(cloud: Cloud, annotationKey: string, value: string) {
    this.cloud = cloud;
    this.annotationKey = annotationKey;
    this.value = value;
  }

  /** @internal */
  public _problem(): string | undefined {
    if (this.cloud === Cloud.GCP && !/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z0-9][-a-z0-9.]*\.iam\.gserviceaccount\.com$/.test(this.value)) {
      return 'must be a Google service account e-mail, NAME@PROJECT.iam.gserviceaccount.com';
    }
    if (this.cloud === Cloud.AWS && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(this.value)) {
      return 'must be an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME';
    }
    return undefined;
  }
}
