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


def of_kind(objs, kind):
    return [o for o in objs if o["kind"] == kind]


def named(objs, kind, name):
    return next((o for o in of_kind(objs, kind) if o["metadata"]["name"] == name), None)


def templates(objs):
    """(workload name, pod template) of every workload."""
    return [(o["metadata"]["name"], o["spec"]["template"]) for o in objs if o["kind"] in WORKLOADS]


def container_ports(template):
    ports = [p for c in template["spec"]["containers"] for p in c.get("ports", [])]
    return {p.get("name") for p in ports} | {p["containerPort"] for p in ports}


def workload_problems(objs):
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
        out += [f"{name}: {p}" for p in config_refs(objs, o["spec"]["template"])]
    return out


def config_refs(objs, template):
    """Every ConfigMap and Secret a pod takes its environment from exists, with that key."""
    out = []
    for c in template["spec"]["containers"]:
        refs = [(kind, src[field]) for src in c.get("envFrom", [])
                for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef"))
                if field in src]
        refs += [(kind, src[field]) for e in c.get("env", []) if "valueFrom" in e
                 for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef"))
                 for src in [e["valueFrom"]] if field in src]
        for kind, ref in refs:
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


def problems(objs):
    return workload_problems(objs) + service_problems(objs) + pointer_problems(objs)
