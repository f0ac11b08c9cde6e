import type { Context } from "hono";
import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import {
  type Body,
  isObject,
  noContent,
  objectAt,
  oneOf,
  optArray,
  optString,
  paginate,
  readBody,
  readPage,
  reqObject,
  reqString,
} from "../http.ts";
import { hex32 } from "../random.ts";
import type { RouteDef } from "../routes.ts";
import type { PolicyGroupRecord, Target } from "../state.ts";
import { policyGroupView } from "./views.ts";

const TARGET_TYPES = [
  "INSTANCE",
  "USER",
  "USERGROUP",
  "OU",
  "CLIENTIP",
  "DESKTOPSPOOL",
  "DESKTOP_TAG",
  "ALL",
] as const;

function findGroup(ctx: SimContext, id: string): PolicyGroupRecord {
  const group = ctx.state.policyGroups.get(id);
  if (!group) throw vdiError(404, VDI.policyGroupNotFound, `The policy group does not exist: ${id}.`);
  return group;
}

/** Policy groups and their targets (UPSTREAM-VDI 4). Target changes apply at once. */
export function policyRoutes(ctx: SimContext): RouteDef[] {
  const id = (c: Context) => findGroup(ctx, c.req.param("group_id")!);
  return [
    {
      method: "POST",
      path: "/policy-groups",
      handler: async (c) => {
        const input = reqObject(await readBody(c), "policy_group");
        const name = reqString(input, "policy_group_name", "policy_group.policy_group_name", 55);
        if ([...ctx.state.policyGroups.values()].some((g) => g.policy_group_name === name)) {
          throw vdiError(409, VDI.policyGroupConflict, `The policy group name already exists: ${name}.`);
        }
        if (ctx.state.policyGroups.size >= ctx.state.quotas.policy_groups) {
          throw vdiError(
            403,
            VDI.policyGroupQuota,
            `The number of policy groups exceeds the limit (${ctx.state.quotas.policy_groups}).`,
          );
        }
        const group: PolicyGroupRecord = {
          policy_group_id: hex32(),
          policy_group_name: name,
          priority: priority(input),
          description: optString(input, "description", "policy_group.description", 255) ?? "",
          policies: isObject(input.policies) ? structuredClone(input.policies) : {},
          targets: [],
          update_time: new Date(),
        };
        applyTargets(
          ctx,
          group,
          optArray(input, "targets", "policy_group.targets") ?? [],
          "policy_group.targets",
          "add",
        );
        ctx.state.policyGroups.set(group.policy_group_id, group);
        return c.json({ id: group.policy_group_id }, 201);
      },
    },
    {
      method: "GET",
      path: "/policy-groups",
      handler: (c) => {
        const name = c.req.query("policy_group_name");
        const accurate = c.req.query("is_group_name_accurate") === "true";
        const groups = [...ctx.state.policyGroups.values()].filter(
          (g) => !name || (accurate ? g.policy_group_name === name : g.policy_group_name.includes(name)),
        );
        const page = readPage(c, 100, 100);
        return c.json({
          policy_groups: paginate(groups, page).map(policyGroupView),
          total_count: groups.length,
        });
      },
    },
    {
      method: "GET",
      path: "/policy-groups/:group_id",
      handler: (c) => c.json({ policy_group: policyGroupView(id(c)) }),
    },
    {
      method: "PUT",
      path: "/policy-groups/:group_id",
      handler: async (c) => {
        const group = id(c);
        const input = reqObject(await readBody(c), "policy_group");
        const name = optString(input, "policy_group_name", "policy_group.policy_group_name", 55);
        if (
          name &&
          [...ctx.state.policyGroups.values()].some((g) => g !== group && g.policy_group_name === name)
        ) {
          throw vdiError(409, VDI.policyGroupConflict, `The policy group name already exists: ${name}.`);
        }
        if (name) group.policy_group_name = name;
        if (input.priority !== undefined) group.priority = priority(input);
        group.description =
          optString(input, "description", "policy_group.description", 255) ?? group.description;
        if (isObject(input.policies)) group.policies = merge(group.policies, input.policies);
        group.update_time = new Date();
        return c.json({ id: group.policy_group_id });
      },
    },
    {
      method: "PUT",
      path: "/policy-groups/:group_id/policies",
      handler: async (c) => {
        const group = id(c);
        group.policies = merge(group.policies, reqObject(await readBody(c), "policies"));
        group.update_time = new Date();
        return c.body("", 200, { "Content-Type": "application/json" });
      },
    },
    {
      method: "DELETE",
      path: "/policy-groups/:group_id",
      handler: (c) => {
        ctx.state.policyGroups.delete(id(c).policy_group_id);
        return noContent(c);
      },
    },
    {
      method: "PUT",
      path: "/policy-groups/:group_id/targets",
      handler: async (c) => {
        const group = id(c);
        const body = await readBody(c);
        const add = optArray(body, "add") ?? [];
        const remove = optArray(body, "delete") ?? [];
        if (add.length === 0 && remove.length === 0)
          throw badRequest("Invalid parameter: add or delete is required.");
        applyTargets(ctx, group, add, "add", "add");
        applyTargets(ctx, group, remove, "delete", "delete");
        group.update_time = new Date();
        return c.body("", 200, { "Content-Type": "application/json" });
      },
    },
    {
      method: "GET",
      path: "/policy-groups/:group_id/targets",
      handler: (c) => {
        const type = c.req.query("target_type");
        const targets = id(c).targets.filter((t) => !type || t.target_type === type);
        const page = readPage(c, 1000, 1000);
        return c.json({
          targets: paginate(targets, page).map((t) => ({ ...t })),
          total_count: targets.length,
        });
      },
    },
  ];
}

function priority(input: Body): number {
  const value = input.priority ?? 1;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 55) {
    throw badRequest("Invalid parameter: policy_group.priority must be an integer in 0..55.");
  }
  return value as number;
}

/** Validates targets first, then adds or removes them; an INSTANCE target must be a desktop's SID. */
function applyTargets(
  ctx: SimContext,
  group: PolicyGroupRecord,
  list: unknown[],
  path: string,
  op: "add" | "delete",
): void {
  const targets: Target[] = list.map((_, i) => {
    const t = objectAt(list, i, path);
    const type = oneOf(
      reqString(t, "target_type", `${path}[${i}].target_type`),
      TARGET_TYPES,
      `${path}[${i}].target_type`,
    );
    const targetId = reqString(t, "target_id", `${path}[${i}].target_id`);
    if (
      op === "add" &&
      type === "INSTANCE" &&
      ![...ctx.state.desktops.values()].some((d) => d.sid === targetId)
    ) {
      throw badRequest(`Invalid parameter: ${path}[${i}].target_id ${targetId} is not the SID of a desktop.`);
    }
    return {
      target_id: targetId,
      target_name: optString(t, "target_name", `${path}[${i}].target_name`, 55) ?? "",
      target_type: type,
    };
  });
  const same = (a: Target, b: Target) => a.target_type === b.target_type && a.target_id === b.target_id;
  for (const target of targets) {
    if (op === "add" && !group.targets.some((t) => same(t, target))) group.targets.push(target);
    if (op === "delete") group.targets = group.targets.filter((t) => !same(t, target));
  }
}

function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const prior = out[key];
    out[key] = isObject(value) && isObject(prior) ? merge(prior, value) : structuredClone(value);
  }
  return out;
}
