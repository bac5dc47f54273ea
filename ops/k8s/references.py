"""What a schema cannot see in a rendered kustomization: whether objects that refer to each other
agree. Each of these mistakes is accepted by the API server and fails only at run time (a
Service with no endpoints, a pod stuck in CreateContainerConfigError, an empty scrape target
list), so they are checked here, on the rendered output, where kustomize has already added
hash suffixes and namespaces.
"""

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


def matches(selector, labels):
    """Whether matchLabels selects these labels (the only form the manifests use)."""
    wanted = (selector or {}).get("matchLabels") or {}
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def pod_matches(selector, labels):
    """Whether a NetworkPolicy's pod selector selects these labels: `{}` selects every pod."""
    if not (selector or {}).get("matchLabels") and not (selector or {}).get("matchExpressions"):
        return True
    return matches(selector, labels)


def of_kind(objs, kind):
    return [o for o in objs if o["kind"] == kind]


def named(objs, kind, name):
    return next((o for o in of_kind(objs, kind) if o["metadata"]["name"] == name), None)


def templates(objs):
    """(workload name, pod template) of every workload."""
    return [(o["metadata"]["name"], o["spec"]["template"]) for o in objs if o["kind"] in WORKLOADS]


def container_ports(template):
    ports = [p for c in containers(template) for p in c.get("ports", [])]
    return {p.get("name") for p in ports} | {p["containerPort"] for p in ports}


def workload_problems(objs, given=frozenset()):
    out = []
    for o in objs:
        if o["kind"] not in WORKLOADS:
            continue
        name = f"{o['kind']}/{o['metadata']['name']}"
        if not matches(o["spec"]["selector"], o["spec"]["template"]["metadata"].get("labels", {})):
            out.append(f"{name}: its selector does not select its own pod template")
        if o["kind"] == "StatefulSet":
            svc = named(objs, "Service", o["spec"].get("serviceName", ""))
            if svc is None or svc["spec"].get("clusterIP") != "None":
                out.append(f"{name}: serviceName names no headless Service")
        out += [f"{name}: {p}" for p in config_refs(objs, o["spec"]["template"], given)]
        claims = {c["metadata"]["name"] for c in o["spec"].get("volumeClaimTemplates", [])}
        out += [f"{name}: {p}" for p in volume_refs(objs, o["spec"]["template"], given, claims)]
    return out


def containers(template):
    """The pod's init containers and containers."""
    spec = template["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def volume_refs(objs, template, given, claims=frozenset()):
    """Every Secret and ConfigMap a volume names exists, with the keys it projects; every mount
    names a volume of the pod (or a StatefulSet's claim), and every volume is mounted."""
    out = []
    volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
    mounted = set()
    for c in containers(template):
        for m in c.get("volumeMounts", []):
            mounted.add(m["name"])
            if m["name"] not in volumes and m["name"] not in claims:
                out.append(f"container {c['name']}: mounts {m['name']}, no volume of the pod")
    for v in volumes.values():
        if v["name"] not in mounted:
            out.append(f"volume {v['name']}: no container mounts it")
        for kind, field, key in (("Secret", "secret", "secretName"),
                                 ("ConfigMap", "configMap", "name")):
            src = v.get(field)
            if src is None or src.get("optional") or (kind, src[key]) in given:
                continue
            obj = named(objs, kind, src[key])
            if obj is None:
                out.append(f"volume {v['name']}: no {kind} {src[key]}")
                continue
            keys = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
            for item in src.get("items", []):
                if item["key"] not in keys:
                    out.append(f"volume {v['name']}: {kind} {src[key]} has no key {item['key']}")
    return out


def config_refs(objs, template, given=frozenset()):
    """Every ConfigMap and Secret a pod takes its environment from exists, with that key."""
    out = []
    for c in containers(template):
        refs = [(kind, src[field]) for src in c.get("envFrom", [])
                for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef"))
                if field in src]
        refs += [(kind, src[field]) for e in c.get("env", []) if "valueFrom" in e
                 for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef"))
                 for src in [e["valueFrom"]] if field in src]
        for kind, ref in refs:
            if (kind, ref["name"]) in given:
                continue
            obj = named(objs, kind, ref["name"])
            keys = set((obj or {}).get("data") or {}) | set((obj or {}).get("stringData") or {})
            if ref.get("optional"):
                continue
            if obj is None:
                out.append(f"container {c['name']}: no {kind} {ref['name']}")
            elif "key" in ref and ref["key"] not in keys:
                out.append(f"container {c['name']}: {kind} {ref['name']} has no key {ref['key']}")
    return out


def service_problems(objs):
    out = []
    for svc in of_kind(objs, "Service"):
        name = f"Service/{svc['metadata']['name']}"
        selector = {"matchLabels": svc["spec"].get("selector")}
        pods = [t for _, t in templates(objs)
                if matches(selector, t["metadata"].get("labels", {}))]
        if not pods:
            out.append(f"{name}: its selector selects no pod template")
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if pods and not all(target in container_ports(t) for t in pods):
                out.append(f"{name}: targetPort {target} is not a port of the pods it selects")
    return out


def service_port(objs, name, port):
    """Whether Service `name` has this port (a name or a number)."""
    svc = named(objs, "Service", name)
    return svc is not None and any(port in (p.get("name"), p["port"]) for p in svc["spec"]["ports"])


def pointer_problems(objs):
    out = []
    for pdb in of_kind(objs, "PodDisruptionBudget"):
        if not any(matches(pdb["spec"]["selector"], t["metadata"].get("labels", {}))
                   for _, t in templates(objs)):
            out.append(f"PodDisruptionBudget/{pdb['metadata']['name']}: selects no pod template")
    for hpa in of_kind(objs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        if named(objs, ref["kind"], ref["name"]) is None:
            out.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: "
                       f"no {ref['kind']} {ref['name']}")
    for ing in of_kind(objs, "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                svc = path["backend"]["service"]
                port = svc["port"].get("name", svc["port"].get("number"))
                if not service_port(objs, svc["name"], port):
                    out.append(f"Ingress/{ing['metadata']['name']}: "
                               f"no Service {svc['name']} with port {port}")
    for sm in of_kind(objs, "ServiceMonitor"):
        selected = [s for s in of_kind(objs, "Service")
                    if matches(sm["spec"]["selector"], s["metadata"].get("labels", {}))]
        if not selected:
            out.append(f"ServiceMonitor/{sm['metadata']['name']}: selects no Service")
        for ep in sm["spec"].get("endpoints", []):
            if not any(service_port(objs, s["metadata"]["name"], ep.get("port")) for s in selected):
                out.append(f"ServiceMonitor/{sm['metadata']['name']}: "
                           f"no selected Service has port {ep.get('port')}")
    return out


def policy_problems(objs):
    """What a NetworkPolicy names exists: the pods it is for, the pods of this namespace it lets
    in or out, and the ports of those pods. A peer in another namespace or an address block
    cannot be checked here. And where a policy shuts every pod's ingress, each Service's ports
    are let in by some policy: else the Service leads nowhere."""
    out = []
    pods = [(name, t, t["metadata"].get("labels", {})) for name, t in templates(objs)]

    def selected(selector):
        return [(n, t) for n, t, labels in pods if pod_matches(selector, labels)]

    for np in of_kind(objs, "NetworkPolicy"):
        name = f"NetworkPolicy/{np['metadata']['name']}"
        spec = np["spec"]
        targets = selected(spec.get("podSelector"))
        if not targets:
            out.append(f"{name}: its podSelector selects no pod template")
        for direction, peers_key in (("ingress", "from"), ("egress", "to")):
            for i, rule in enumerate(spec.get(direction, [])):
                local = []
                for peer in rule.get(peers_key, []):
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        found = selected(peer["podSelector"])
                        if not found:
                            out.append(f"{name}: {direction}[{i}] names pods that no pod "
                                       f"template has: {peer['podSelector']}")
                        local += found
                # An ingress rule's ports are the selected pods'; an egress rule's, where it
                # goes only to pods of this namespace, theirs.
                peers = rule.get(peers_key, [])
                only_local = bool(peers) and all(
                    "podSelector" in p and "namespaceSelector" not in p for p in peers)
                ends = targets if direction == "ingress" else (local if only_local else [])
                for port in rule.get("ports", []):
                    if "port" not in port:
                        continue
                    missing = [n for n, t in ends if port["port"] not in container_ports(t)]
                    if missing:
                        out.append(f"{name}: {direction}[{i}] port {port['port']} is not a port "
                                   f"of {', '.join(sorted(set(missing)))}")
    out += service_reachability(objs, pods)
    return out


def service_reachability(objs, pods):
    policies = of_kind(objs, "NetworkPolicy")
    deny_all = any(pod_matches(p["spec"].get("podSelector"), {})
                   and "Ingress" in p["spec"].get("policyTypes", []) for p in policies)
    if not deny_all:
        return []
    out = []
    for svc in of_kind(objs, "Service"):
        selector = {"matchLabels": svc["spec"].get("selector")}
        for _, t, labels in pods:
            if not matches(selector, labels):
                continue
            for port in svc["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                numbers = {target} | {p["containerPort"] for c in containers(t)
                                      for p in c.get("ports", []) if p.get("name") == target}
                names = {target} | {p.get("name") for c in containers(t)
                                    for p in c.get("ports", []) if p["containerPort"] == target}
                admitted = any(
                    pod_matches(p["spec"].get("podSelector"), labels)
                    and any(not rule.get("ports")
                            or any(rp.get("port") in numbers | names for rp in rule["ports"])
                            for rule in p["spec"].get("ingress", []))
                    for p in policies)
                if not admitted:
                    out.append(f"Service/{svc['metadata']['name']}: no NetworkPolicy lets "
                               f"anything in to port {target} of its pods")
    return list(dict.fromkeys(out))


def problems(objs, given=frozenset()):
    return (workload_problems(objs, given) + service_problems(objs) + pointer_problems(objs)
            + policy_problems(objs))
