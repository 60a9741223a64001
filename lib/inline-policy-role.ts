import { Lazy, RemovalPolicy, ResourceEnvironment, Stack } from 'aws-cdk-lib';
import {
  AddToPrincipalPolicyResult,
  CfnRole,
  Grant,
  IManagedPolicy,
  IPrincipal,
  IRole,
  Policy,
  PolicyDocument,
  PolicyStatement,
  PrincipalPolicyFragment,
  Role,
  RoleReference,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Properties of an {@link InlinePolicyRole}. */
export interface InlinePolicyRoleProps {
  /** The service that assumes the role. */
  readonly assumedBy: IPrincipal;
  /** The id of the underlying `Role`, in the same scope: part of the logical id of the role. */
  readonly roleId: string;
  /** The name of the one inline policy. */
  readonly policyName: string;
}

/**
 * The execution role of a stagegraph function or flow, as handed to the L2 construct that runs it.
 *
 * Every statement added through it (grants to the function or flow, and what the L2 construct adds
 * itself, such as X-Ray or log delivery) lands in the role's one inline policy: no IAM policy
 * resource, and no managed policy. And because this object is a construct of its own with no
 * CloudFormation resource, the dependency the L2 construct declares on its role renders no
 * `DependsOn`: the role's ARN in the resource's properties already orders the two.
 */
export class InlinePolicyRole extends Construct implements IRole {
  /** The role resource itself. */
  public readonly role: Role;
  /** The role's inline policy: every statement added to this principal. */
  public readonly document = new PolicyDocument();
  public readonly grantPrincipal: IPrincipal = this;

  constructor(scope: Construct, id: string, props: InlinePolicyRoleProps) {
    super(scope, id);
    this.role = new Role(scope, props.roleId, { assumedBy: props.assumedBy });
    const document = this.document;
    (this.role.node.defaultChild as CfnRole).policies = Lazy.any({
      produce: () => (document.isEmpty ? undefined : [{ policyName: props.policyName, policyDocument: document }]),
    });
  }

  /** The underlying role resource, for cdk-nag metadata and the like. */
  public get cfnRole(): CfnRole {
    return this.role.node.defaultChild as CfnRole;
  }

  public get roleArn(): string {
    return this.role.roleArn;
  }

  public get roleName(): string {
    return this.role.roleName;
  }

  public get roleRef(): RoleReference {
    return this.role.roleRef;
  }

  public get stack(): Stack {
    return this.role.stack;
  }

  public get env(): ResourceEnvironment {
    return this.role.env;
  }

  public get assumeRoleAction(): string {
    return this.role.assumeRoleAction;
  }

  public get policyFragment(): PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  /** Adds the statement to the role's inline policy; what must wait for it waits for the role. */
  public addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this.role };
  }

  /** The same as {@link addToPrincipalPolicy}. */
  public addToPolicy(statement: PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public grant(grantee: IPrincipal, ...actions: string[]): Grant {
    return this.role.grant(grantee, ...actions);
  }

  public grantPassRole(grantee: IPrincipal): Grant {
    return this.role.grantPassRole(grantee);
  }

  public grantAssumeRole(grantee: IPrincipal): Grant {
    return this.role.grantAssumeRole(grantee);
  }

  /** Attaches a separate policy resource: the choice of who calls it. */
  public attachInlinePolicy(policy: Policy): void {
    this.role.attachInlinePolicy(policy);
  }

  public addManagedPolicy(policy: IManagedPolicy): void {
    this.role.addManagedPolicy(policy);
  }

  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.role.applyRemovalPolicy(policy);
  }
}
