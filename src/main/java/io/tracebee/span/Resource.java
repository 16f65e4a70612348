package io.tracebee.span;

/** The entity that produced a span: one per traced process (service.name, process.pid, ...). */
public record Resource(Attributes attributes) {
    public String serviceName() {
        Object name = attributes.get("service.name");
        return name == null ? "unknown_service" : name.toString();
    }
}
