#!/usr/bin/env bash
# Collects an irsa2pi evidence bundle with only the AWS CLI and kubectl (read-only calls; see
# docs/least-privilege.md). Same layout as `irsa2pi collect`.
#
#   scripts/collect-evidence.sh -o OUT_DIR [-r REGION]... [-c CLUSTER=CONTEXT]...
#
# Regions default to the configured one. A cluster's kube context is the one given with -c, else
# the kubeconfig context whose cluster server equals the cluster endpoint. A cluster whose
# Kubernetes API cannot be read, or a region whose clusters cannot be listed, is written to
# scan-gaps.json and the script exits 4 after writing the rest. collection.json records when each file
# was read (UTC). The bundle appears atomically.
set -euo pipefail

usage() {
  echo "usage: $0 -o OUT_DIR [-r REGION]... [-c CLUSTER=CONTEXT]..." >&2
  exit 2
}

out=""
regions=()
mappings=()
while getopts "o:r:c:h" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    r) regions+=("$OPTARG") ;;
    c) mappings+=("$OPTARG") ;;
    *) usage ;;
  esac
done
[[ -n "$out" ]] || usage

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
started="$(now)"
# When each file was read, by its path in the bundle.
declare -A collected=()
if [[ ${#regions[@]} -eq 0 ]]; then
  configured="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}"
  [[ -n "$configured" ]] || { echo "$0: no AWS region: give -r REGION or set AWS_REGION" >&2; exit 2; }
  regions=("$configured")
fi

out="${out%/}"
if [[ -e "$out" ]]; then
  [[ -d "$out" ]] || { echo "$0: $out exists and is not a directory" >&2; exit 2; }
  for entry in "$out"/* "$out"/.[!.]*; do
    [[ -e "$entry" ]] || continue
    case "$(basename "$entry")" in
      aws | kubernetes | scan-gaps.json | collection.json) ;;
      *) echo "$0: $out is not an evidence bundle (it holds $(basename "$entry")); give a new or empty directory" >&2; exit 2 ;;
    esac
  done
fi
parent="$(dirname "$out")"
mkdir -p "$parent"
tmp="$(mktemp -d "$parent/.$(basename "$out").tmp-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
gaps=()

json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/ }"
  s="${s//$'\r'/ }"
  s="${s//$'\t'/ }"
  printf '%s' "$s"
}

gap() { # scope name region error
  gaps+=("{\"scope\": \"$1\", \"name\": \"$(json_escape "$2")\", \"region\": \"$(json_escape "$3")\", \"error\": \"$(json_escape "$4")\"}")
  echo "collect-evidence: $3/$2: scan gap: $4" >&2
}

context_for() { # cluster endpoint
  local m
  for m in "${mappings[@]+"${mappings[@]}"}"; do
    if [[ "${m%%=*}" == "$1" ]]; then
      printf '%s' "${m#*=}"
      return 0
    fi
  done
  [[ -n "$2" && "$2" != "None" ]] || return 1
  local ctx cluster server want
  want="${2%/}"
  want="${want,,}"
  while IFS=$'\t' read -r ctx cluster; do
    [[ -n "$ctx" ]] || continue
    server="$(kubectl config view -o jsonpath="{.clusters[?(@.name==\"$cluster\")].cluster.server}" 2>/dev/null || true)"
    server="${server%/}"
    if [[ "${server,,}" == "$want" ]]; then
      printf '%s' "$ctx"
      return 0
    fi
  done < <(kubectl config view -o jsonpath='{range .contexts[*]}{.name}{"\t"}{.context.cluster}{"\n"}{end}' 2>/dev/null || true)
  return 1
}

# IAM (global): the account comes from a role or provider ARN (no STS call).
aws iam get-account-authorization-details --output json > "$tmp/iam-authorization-details.json"
aws iam list-open-id-connect-providers --output json > "$tmp/oidc-providers.json"
iam_at="$(now)"
arn="$(aws iam get-account-authorization-details --filter Role --max-items 1 --query 'RoleDetailList[0].Arn' --output text)"
if [[ "$arn" == "None" || -z "$arn" ]]; then
  arn="$(aws iam list-open-id-connect-providers --query 'OpenIDConnectProviderList[0].Arn' --output text)"
fi
account="$(cut -d: -f5 <<< "$arn")"
[[ "$account" =~ ^[0-9]{12}$ ]] || account="unknown-account"
mkdir -p "$tmp/aws/$account"
mv "$tmp/iam-authorization-details.json" "$tmp/oidc-providers.json" "$tmp/aws/$account/"
collected["aws/$account/iam-authorization-details.json"]="$iam_at"
collected["aws/$account/oidc-providers.json"]="$iam_at"

# CloudFormation of one region, for knowing each role's owner: the stacks, each stack's resources, and
# the template of each stack holding an IAM role. Prints the error and removes what it wrote on failure.
# Stack names are letters, digits and hyphens, so the CLI's JSON lines "StackName": "<name>" give them.
stacks() { # region dir
  local names s
  aws cloudformation describe-stacks --region "$1" --output json > "$2/cloudformation-stacks.json" || return 1
  names="$(sed -n 's/^ *"StackName": "\([A-Za-z][A-Za-z0-9-]*\)",\{0,1\}$/\1/p' "$2/cloudformation-stacks.json" | sort -u)"
  while IFS= read -r s; do
    [[ -n "$s" ]] || continue
    aws cloudformation describe-stack-resources --region "$1" --stack-name "$s" --output json \
      > "$2/cloudformation-resources-$s.json" || return 1
    if grep -q '"ResourceType": "AWS::IAM::Role"' "$2/cloudformation-resources-$s.json"; then
      aws cloudformation get-template --region "$1" --stack-name "$s" --template-stage Original --output json \
        > "$2/cloudformation-template-$s.json" || return 1
    fi
  done <<< "$names"
}

addon_named() { # name version: both can be asked about and name a file
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$ && "$2" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$ && "$1$2" != *..* ]]
}

# Whether an add-on version takes Pod Identity associations: its describe-addon-configuration, once per
# region, add-on and version. A failure leaves the version's support unknown (irsa2pi notes it).
# Succeeds when the version takes them.
declare -A configuration_failed=()
# An AWS CLI whose model predates podIdentityConfiguration drops it from the output, which would read
# as "takes none": such a CLI writes no configuration (the support stays unknown). Its own output
# skeleton, made without a call, tells.
cli_knows_pod_identity_configuration=""
addon_configuration() { # region dir addon version
  local file="$2/addon-configuration-$3-$4.json" err
  if [[ -z "$cli_knows_pod_identity_configuration" ]]; then
    if aws eks describe-addon-configuration --region "$1" --addon-name "$3" --addon-version "$4" --generate-cli-skeleton output 2>/dev/null \
      | grep -q '"podIdentityConfiguration"'; then
      cli_knows_pod_identity_configuration=yes
    else
      cli_knows_pod_identity_configuration=no
      echo "collect-evidence: this AWS CLI ($(aws --version 2>&1)) does not know describe-addon-configuration's podIdentityConfiguration (v1 >= 1.33.0, v2 >= 2.16.0 do); add-ons' Pod Identity support stays unknown" >&2
    fi
  fi
  [[ "$cli_knows_pod_identity_configuration" == yes ]] || return 1
  if [[ ! -e "$file" && -z "${configuration_failed["$1/$3/$4"]:-}" ]]; then
    if err="$(aws eks describe-addon-configuration --region "$1" --addon-name "$3" --addon-version "$4" --output json 2>&1 > "$file")"; then
      collected["aws/$account/$1/${file##*/}"]="$(now)"
    else
      rm -f "$file"
      configuration_failed["$1/$3/$4"]=1
      echo "collect-evidence: $1: add-on $3 $4: DescribeAddonConfiguration: ${err%%$'\n'*}; its Pod Identity support stays unknown" >&2
    fi
  fi
  [[ -e "$file" ]] && grep -q '"serviceAccount"' "$file"
}

# A key that sorts add-on versions as irsa2pi does: each number without leading zeros, after its
# length (three digits), left to right.
version_key() { # version
  local v="$1" key="" n
  while [[ "$v" =~ ([0-9]+)(.*) ]]; do
    n="${BASH_REMATCH[1]}"
    v="${BASH_REMATCH[2]}"
    while [[ "$n" == 0?* ]]; do n="${n#0}"; done
    key+="$(printf '%03d' "${#n}")$n."
  done
  printf '%s' "$key"
}

# The installed version's configuration and, when it takes no Pod Identity association, the lowest
# later version that does: describe-addon-versions has no such field, so the later versions are
# bisected (support, once added, stays), each probe a configuration of the bundle.
declare -A versions_of=()
addon_support() { # region dir addon version describe-addon-file
  addon_named "$3" "$4" || return 0
  if addon_configuration "$1" "$2" "$3" "$4"; then return 0; fi
  # Only an add-on with a role moves an identity, so only its lowest supporting version is looked for.
  [[ -e "$2/addon-configuration-$3-$4.json" ]] && grep -q '"serviceAccountRoleArn": "arn:' "$5" || return 0
  local err v later=() lo hi mid installed
  if [[ -z "${versions_of["$1/$3"]+set}" ]]; then
    if ! err="$(aws eks describe-addon-versions --region "$1" --addon-name "$3" --query 'addons[].addonVersions[].addonVersion' --output text 2>&1)"; then
      echo "collect-evidence: $1: add-on $3: DescribeAddonVersions: ${err%%$'\n'*}; the lowest version taking Pod Identity stays unknown" >&2
      err=""
    fi
    versions_of["$1/$3"]="$err"
  fi
  installed="$(version_key "$4")"
  while IFS=$'\t' read -r _ v; do
    later+=("$v")
  done < <(tr -s '\t' '\n' <<< "${versions_of["$1/$3"]}" | while IFS= read -r v; do
    [[ "$v" != "None" ]] && addon_named "$3" "$v" || continue
    printf '%s\t%s\n' "$(version_key "$v")" "$v"
  done | LC_ALL=C sort -u | LC_ALL=C awk -F '\t' -v installed="$installed" -v version="$4" \
    '($1 "" > installed "") || ($1 "" == installed "" && $2 "" > version "")')
  lo=0
  hi=$((${#later[@]} - 1))
  while ((lo <= hi)); do
    mid=$(((lo + hi) / 2))
    if addon_configuration "$1" "$2" "$3" "${later[$mid]}"; then hi=$((mid - 1)); else lo=$((mid + 1)); fi
  done
}

for region in "${regions[@]}"; do
  if ! clusters="$(aws eks list-clusters --region "$region" --query 'clusters[]' --output text 2>&1)"; then
    gap region "$region" "$region" "$clusters"
    continue
  fi
  dir="$tmp/aws/$account/$region"
  mkdir -p "$dir"
  if err="$(stacks "$region" "$dir" 2>&1)"; then
    for f in "$dir"/cloudformation-*.json; do
      [[ -e "$f" ]] && collected["aws/$account/$region/${f##*/}"]="$(now)"
    done
  else
    rm -f "$dir"/cloudformation-*.json
    gap region "$region" "$region" "CloudFormation (DescribeStacks, DescribeStackResources, GetTemplate): $err"
  fi
  for c in $clusters; do
    dir="$tmp/aws/$account/$region"
    mkdir -p "$dir"
    aws eks describe-cluster --region "$region" --name "$c" --output json > "$dir/cluster-$c.json"
    collected["aws/$account/$region/cluster-$c.json"]="$(now)"
    for a in $(aws eks list-addons --region "$region" --cluster-name "$c" --query 'addons[]' --output text); do
      aws eks describe-addon --region "$region" --cluster-name "$c" --addon-name "$a" --output json > "$dir/addon-$c-$a.json"
      collected["aws/$account/$region/addon-$c-$a.json"]="$(now)"
      addon_support "$region" "$dir" "$a" "$(sed -n 's/^ *"addonVersion": "\(.*\)",\{0,1\}$/\1/p' "$dir/addon-$c-$a.json" | head -n 1)" "$dir/addon-$c-$a.json"
    done
    for id in $(aws eks list-pod-identity-associations --region "$region" --cluster-name "$c" --query 'associations[].associationId' --output text); do
      aws eks describe-pod-identity-association --region "$region" --cluster-name "$c" --association-id "$id" --output json \
        > "$dir/pod-identity-association-$id.json"
      collected["aws/$account/$region/pod-identity-association-$id.json"]="$(now)"
    done
    endpoint="$(aws eks describe-cluster --region "$region" --name "$c" --query 'cluster.endpoint' --output text)"
    if ! ctx="$(context_for "$c" "$endpoint")"; then
      gap cluster "$c" "$region" "no kubeconfig context reaches $endpoint; give -c $c=CONTEXT"
      continue
    fi
    mkdir -p "$tmp/kubernetes/$region.$c"
    if ! err="$(kubectl --context "$ctx" --request-timeout=20s get \
      serviceaccounts,pods,nodes,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs \
      -A -o json --chunk-size=500 2>&1 > "$tmp/kubernetes/$region.$c/resources.json")"; then
      rm -rf "${tmp:?}/kubernetes/$region.$c"
      gap cluster "$c" "$region" "Kubernetes API (context $ctx): $err"
      continue
    fi
    collected["kubernetes/$region.$c/resources.json"]="$(now)"
    echo "collect-evidence: $region/$c: collected (context $ctx)" >&2
  done
done

# A cluster's objects go to kubernetes/<name>/, or kubernetes/<region>.<name>/ where clusters of that
# name were described in several regions.
for d in "$tmp"/kubernetes/*.*; do
  [[ -d "$d" ]] || continue
  folder="$(basename "$d")"
  c="${folder#*.}"
  described=("$tmp"/aws/*/*/"cluster-$c.json")
  if [[ ${#described[@]} -eq 1 ]]; then
    mv "$d" "$tmp/kubernetes/$c"
    collected["kubernetes/$c/resources.json"]="${collected["kubernetes/$folder/resources.json"]}"
    unset "collected[kubernetes/$folder/resources.json]"
  fi
done

if [[ ${#gaps[@]} -gt 0 ]]; then
  {
    printf '{"irsa2piScanGaps": [\n'
    for i in "${!gaps[@]}"; do
      if [[ $i -gt 0 ]]; then printf ',\n'; fi
      printf '  %s' "${gaps[$i]}"
    done
    printf '\n]}\n'
  } > "$tmp/scan-gaps.json"
fi

{
  printf '{"irsa2piCollection": {\n  "collector": "scripts/collect-evidence.sh",\n  "startedAt": "%s",\n  "finishedAt": "%s",\n  "files": {' "$started" "$(now)"
  separator=""
  while IFS= read -r path; do
    printf '%s\n    "%s": "%s"' "$separator" "$(json_escape "$path")" "${collected[$path]}"
    separator=","
  done < <(printf '%s\n' "${!collected[@]}" | LC_ALL=C sort)
  printf '\n  }\n}}\n'
} > "$tmp/collection.json"

if [[ -e "$out" ]]; then
  mv "$out" "$tmp-old"
fi
mv "$tmp" "$out"
trap - EXIT
rm -rf "$tmp-old"
echo "collect-evidence: wrote $out" >&2
if [[ ${#gaps[@]} -gt 0 ]]; then exit 4; fi
