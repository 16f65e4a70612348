package io.tracebee.bpf;

/**
 * What a map's key is, read from the object's BTF rather than kept by hand: the key type and, for a struct or
 * union, its first member. It is how the agent tells maps holding per-process state (their key leads with the
 * process id) from maps keyed by anything else (a code address, a type pointer, a socket).
 *
 * @param kind BTF kind of the key type after typedefs and modifiers ({@link #BTF_INT}, {@link #BTF_STRUCT}...);
 *        0 when the key has no BTF type (internal maps, ring buffers)
 * @param typeName the key type's name ({@code ""} when anonymous)
 * @param firstMember the first member's name, or null when the key is no struct or union
 * @param firstMemberKind BTF kind of the first member's type, resolved
 * @param firstMemberBitOffset where the first member starts, in bits
 * @param firstMemberBytes the first member's size
 * @param firstMemberBitfield its bitfield size in bits, 0 when it is not a bitfield
 */
public record KeyShape(int kind, String typeName, String firstMember, int firstMemberKind, int firstMemberBitOffset,
        int firstMemberBytes, int firstMemberBitfield) {
    /** BTF kinds (enum in linux/btf.h). */
    public static final int BTF_INT = 1;
    public static final int BTF_STRUCT = 4;

    /** A key without BTF type information. */
    public static final KeyShape NONE = new KeyShape(0, "", null, 0, 0, 0, 0);

    /**
     * Whether the key is a struct whose first member is a 32-bit integer named {@code pid} or {@code tgid} at
     * offset 0: the map holds state of individual processes, and the entries of a process that is gone can go.
     */
    public boolean leadsWithPid() {
        return kind == BTF_STRUCT
                && ("pid".equals(firstMember) || "tgid".equals(firstMember))
                && firstMemberKind == BTF_INT && firstMemberBitOffset == 0 && firstMemberBytes == 4
                && firstMemberBitfield == 0;
    }

    @Override
    public String toString() {
        if (kind == 0) {
            return "no BTF key";
        }
        return (typeName.isEmpty() ? "anonymous" : typeName) + (firstMember == null ? "" : " {" + firstMember + ", ...}");
    }
}
