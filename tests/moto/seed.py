"""Seed moto with skyhound's live-collection scenarios (boto3, test only).

  seed.py ENDPOINT main    two accounts (the second through AssumeRole),
                           two regions, a public web server, a private
                           database, an ALB, IAM, GuardDuty
  seed.py ENDPOINT limited a user allowed only EC2 reads; prints its keys
  seed.py ENDPOINT org     an organization: the management account and two
                           member accounts made with CreateAccount, each
                           with a VPC in its own region

Prints a JSON object of the ids the tests check.
"""
import json
import sys

import boto3

ENDPOINT, SCENARIO = sys.argv[1], sys.argv[2]
MAIN, OTHER = "123456789012", "111122223333"
KEYS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


def client(service, region="us-east-1", creds=None):
    return boto3.client(service, region_name=region, endpoint_url=ENDPOINT, **(creds or KEYS))


def assume(account):
    return assume_as(account, "skyhound-audit")


def assume_as(account, role):
    sts = client("sts")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="seed")["Credentials"]
    return dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


def tag(name):
    return [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}]


def web_vpc(ec2, cidr, name):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": name}])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    base = cidr.split(".")
    public = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.1.0/24", AvailabilityZone=ec2.meta.region_name + "a")["Subnet"]["SubnetId"]
    public_b = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.3.0/24", AvailabilityZone=ec2.meta.region_name + "b")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.2.0/24", AvailabilityZone=ec2.meta.region_name + "a")["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rt, SubnetId=public)
    ec2.associate_route_table(RouteTableId=rt, SubnetId=public_b)
    return vpc, igw, public, public_b, private, rt


def main():
    out = {}
    iam = client("iam")
    iam.create_role(RoleName="web-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.attach_role_policy(RoleName="web-role", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_instance_profile(InstanceProfileName="web-role")
    iam.add_role_to_instance_profile(InstanceProfileName="web-role", RoleName="web-role")
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}]}))

    ec2 = client("ec2")
    vpc, igw, public, public_b, private, rt = web_vpc(ec2, "10.0.0.0/16", "main-vpc")
    web_sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    db_sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db_sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web_sg}]}])
    alb_sg = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    web = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=public, SecurityGroupIds=[web_sg],
                            IamInstanceProfile={"Name": "web-role"}, TagSpecifications=tag("web-1"))["Instances"][0]["InstanceId"]
    db = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=private, SecurityGroupIds=[db_sg],
                           TagSpecifications=tag("db-1"))["Instances"][0]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc", Address="198.51.100.10")["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=web)

    elb = client("elbv2")
    lb = elb.create_load_balancer(Name="edge", Subnets=[public, public_b], SecurityGroups=[alb_sg], Scheme="internet-facing", Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": web, "Port": 8080}])
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=443, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    client("guardduty").create_detector(Enable=True)

    # What the posture checks read: a logging multi-region trail, a Config
    # recorder recording everything, a flow log on the main VPC.
    s3 = client("s3")
    s3.create_bucket(Bucket="trail-logs-123456789012")
    trail = client("cloudtrail").create_trail(Name="main", S3BucketName="trail-logs-123456789012", IsMultiRegionTrail=True, EnableLogFileValidation=True)["TrailARN"]
    client("cloudtrail").start_logging(Name="main")
    # moto answers a trail created without selectors with none (AWS with
    # all management events): set them as AWS would have them.
    client("cloudtrail").put_event_selectors(TrailName="main", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
    config = client("config")
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
                                                             "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "trail-logs-123456789012"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    flow_log = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                                    LogDestination="arn:aws:s3:::trail-logs-123456789012")["FlowLogIds"][0]
    out.update(trail=trail, flow_log=flow_log)

    # Data: a bucket public by its policy and ACL, a key without rotation,
    # a private encrypted database and a public unencrypted one.
    s3.create_bucket(Bucket="public-assets-123456789012")
    s3.put_bucket_policy(Bucket="public-assets-123456789012", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-assets-123456789012/*"}]}))
    s3.put_bucket_acl(Bucket="public-assets-123456789012", ACL="public-read")
    key = client("kms").create_key(Description="application data")["KeyMetadata"]["KeyId"]
    rds = client("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="private", DBSubnetGroupDescription="private", SubnetIds=[private, public_b])
    rds.create_db_subnet_group(DBSubnetGroupName="public", DBSubnetGroupDescription="public", SubnetIds=[public, public_b])
    orders = rds.create_db_instance(DBInstanceIdentifier="orders", Engine="postgres", DBInstanceClass="db.t3.micro", MasterUsername="app",
                                    MasterUserPassword="not-a-secret-1", AllocatedStorage=20, PubliclyAccessible=False, StorageEncrypted=True,
                                    DBSubnetGroupName="private", VpcSecurityGroupIds=[db_sg])["DBInstance"]["DBInstanceArn"]
    reports = rds.create_db_instance(DBInstanceIdentifier="reports", Engine="mysql", DBInstanceClass="db.t3.micro", MasterUsername="app",
                                     MasterUserPassword="not-a-secret-2", AllocatedStorage=20, PubliclyAccessible=True, StorageEncrypted=False,
                                     DBSubnetGroupName="public", VpcSecurityGroupIds=[web_sg])["DBInstance"]["DBInstanceArn"]
    out.update(key=key, orders=orders, reports=reports)

    west = client("ec2", "eu-west-1")
    wvpc = west.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    west.create_security_group(GroupName="batch", Description="batch", VpcId=wvpc)

    other = assume(OTHER)
    oec2 = client("ec2", creds=other)
    ovpc, _, opublic, _, _, _ = web_vpc(oec2, "10.9.0.0/16", "other-vpc")
    rdp = oec2.create_security_group(GroupName="rdp", Description="rdp", VpcId=ovpc)["GroupId"]
    oec2.authorize_security_group_ingress(GroupId=rdp, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    win = oec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=opublic, SecurityGroupIds=[rdp],
                             TagSpecifications=tag("windows-1"))["Instances"][0]["InstanceId"]
    oeip = oec2.allocate_address(Domain="vpc", Address="203.0.113.77")["AllocationId"]
    oec2.associate_address(AllocationId=oeip, InstanceId=win)

    out.update(vpc=vpc, igw=igw, rt=rt, web=web, db=db, web_sg=web_sg, db_sg=db_sg, lb=lb, tg=tg, west_vpc=wvpc, other_vpc=ovpc, windows=win)
    print(json.dumps(out))


def limited():
    iam = client("iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="ec2-read", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:Describe*", "sts:GetCallerIdentity"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    print(json.dumps({"key": key["AccessKeyId"], "secret": key["SecretAccessKey"], "vpc": vpc}))


def bench():
    """Three accounts, two regions each, a small network in every one."""
    for account in [MAIN, OTHER, "222233334444"]:
        creds = assume(account)
        for region in ["us-east-1", "eu-west-1"]:
            ec2 = client("ec2", region, creds)
            vpc, _, public, public_b, _, _ = web_vpc(ec2, "10.0.0.0/16", f"bench-{account}-{region}")
            sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
            web = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=public, SecurityGroupIds=[sg])["Instances"][0]["InstanceId"]
            elb = client("elbv2", region, creds)
            lb = elb.create_load_balancer(Name="edge", Subnets=[public, public_b], SecurityGroups=[sg], Scheme="internet-facing", Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
            tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=443, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": web}])
            elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=443, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
            client("guardduty", region, creds).create_detector(Enable=True)
    print(json.dumps({"accounts": [MAIN, OTHER, "222233334444"]}))


def org():
    """An organization of three accounts. Member accounts are reached the
    way --org-role reaches them: AssumeRole into OrganizationAccountAccessRole."""
    orgs = client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    members = [orgs.create_account(Email=f"{n}@example.com", AccountName=n)["CreateAccountStatus"]["AccountId"] for n in ["payments", "sandbox"]]
    out = {"members": members, "vpcs": {}}
    # The payments account in OU workloads, under a guardrail that denies
    # leaving the organization; an auditor role there that MAIN's ops user
    # may assume with an ExternalId.
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ou = orgs.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    orgs.move_account(AccountId=members[0], SourceParentId=root, DestinationParentId=ou)
    guardrail = orgs.create_policy(
        Name="guardrail", Description="keep the organization", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "NoLeaving", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}),
    )["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=guardrail, TargetId=ou)
    out.update({"root": root, "ou": ou, "guardrail": guardrail})
    member_iam = client("iam", creds=assume_as(members[0], "OrganizationAccountAccessRole"))
    member_iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MAIN}:root"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "audit-42"}}}]}))
    member_iam.put_role_policy(RoleName="auditor", PolicyName="all", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    main_iam = client("iam")
    main_iam.create_user(UserName="ops")
    main_iam.put_user_policy(UserName="ops", PolicyName="assume", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    for account, region in [(MAIN, "us-east-1"), (members[0], "eu-west-1"), (members[1], "ap-southeast-2")]:
        creds = None if account == MAIN else assume_as(account, "OrganizationAccountAccessRole")
        ec2 = client("ec2", region, creds)
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": f"vpc-of-{account}"}])
        out["vpcs"][account] = [vpc, region]
    print(json.dumps(out))


def big():
    """One account at the memory benchmark's size: 2,000 security groups,
    500 instances, 300 roles and 30 users, with the IAM shapes escalation
    has to weigh: admins, roles the account can assume, passing roles to
    EC2, assuming roles by pattern, and keys made for other users."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/18")["Subnet"]["SubnetId"]
    groups = []
    for i in range(2000):
        g = ec2.create_security_group(GroupName=f"sg-{i}", Description="bench", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 1000 + i % 500, "ToPort": 1000 + i % 500, "IpRanges": [{"CidrIp": f"10.{i % 250}.0.0/16"}]}])
        groups.append(g)
    for i in range(0, 500, 50):
        ec2.run_instances(ImageId="ami-12345678", MinCount=50, MaxCount=50, InstanceType="t3.micro", SubnetId=subnet, SecurityGroupIds=[groups[i]])
    iam = client("iam")
    account = client("sts").get_caller_identity()["Account"]
    service = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    people = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]})

    def document(*statements):
        return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

    def policy(i):
        kind = i % 10
        if kind == 1:
            return document({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"})
        if kind == 2:
            return document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{account}:role/role-{(i // 30) * 30}"})
        if kind == 3:
            return document({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:ListUsers"], "Resource": "*"})
        if kind == 4:
            return document({"Effect": "Allow", "Action": ["ssm:SendCommand"], "Resource": "*",
                             "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}})
        return document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i}/*"})

    admin = iam.create_policy(PolicyName="admin", PolicyDocument=document(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))["Policy"]["Arn"]
    for i in range(300):
        iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=people if i % 3 == 0 else service)
        iam.put_role_policy(RoleName=f"role-{i}", PolicyName="inline", PolicyDocument=policy(i))
        # Admins: every 30th trusting the account, and as many trusting EC2.
        if i % 30 in (0, 10):
            iam.attach_role_policy(RoleName=f"role-{i}", PolicyArn=admin)
    for i in range(30):
        iam.create_user(UserName=f"user-{i}")
        iam.put_user_policy(UserName=f"user-{i}", PolicyName="inline", PolicyDocument=policy(i * 3 + 2))
        if i == 0:
            iam.attach_user_policy(UserName="user-0", PolicyArn=admin)
    print(json.dumps({"groups": len(groups)}))


def storage():
    """The posture collection benchmark's account: 300 roles with an inline
    policy each, and 200 buckets, every fifth with a policy, every tenth
    public by ACL, a third with default encryption, a key per ten buckets."""
    iam = client("iam")
    service = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for i in range(300):
        iam.create_role(RoleName=f"service-{i}", AssumeRolePolicyDocument=service)
        iam.put_role_policy(RoleName=f"service-{i}", PolicyName="data", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::data-{i % 200}-123456789012/*"}]}))
    s3 = client("s3")
    kms = client("kms")
    for i in range(200):
        name = f"data-{i}-123456789012"
        s3.create_bucket(Bucket=name)
        # moto answers a bucket never versioned with a body the SDK cannot
        # read (AWS answers it empty): version them all.
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if i % 5 == 0:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        if i % 10 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        if i % 3 == 0:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        if i % 10 == 0:
            kms.create_key(Description=f"data {i}")
    print(json.dumps({"roles": 300, "buckets": 200}))


{"main": main, "limited": limited, "org": org, "bench": bench, "big": big, "storage": storage}[SCENARIO]()
