package io.tracebee.inspect;

import java.util.Optional;

/** The CPU architectures tracebee can attach uprobes on, identified by their ELF machine number. */
public enum Arch {
    X86_64(62, "x86-64"),
    AARCH64(183, "arm64");

    private final int elfMachine;
    private final String displayName;

    Arch(int elfMachine, String displayName) {
        this.elfMachine = elfMachine;
        this.displayName = displayName;
    }

    /** The {@code e_machine} value of ELF files for this architecture. */
    public int elfMachine() {
        return elfMachine;
    }

    /** The name Go and most people use for it ({@code x86-64}, {@code arm64}). */
    public String displayName() {
        return displayName;
    }

    public static Optional<Arch> fromElfMachine(int machine) {
        for (Arch arch : values()) {
            if (arch.elfMachine == machine) {
                return Optional.of(arch);
            }
        }
        return Optional.empty();
    }

    /** A readable name for any ELF machine number, for error messages about unsupported ones. */
    static String describeElfMachine(int machine) {
        return switch (machine) {
            case 3 -> "x86 (i386)";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "s390";
            case 40 -> "ARM (32-bit)";
            case 62 -> "x86-64";
            case 183 -> "arm64";
            case 243 -> "RISC-V";
            case 247 -> "BPF";
            case 258 -> "LoongArch";
            default -> "machine " + machine;
        };
    }
}
