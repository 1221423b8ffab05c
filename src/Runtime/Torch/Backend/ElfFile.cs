using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>
/// Just enough of an ELF64 little-endian reader to list the symbol versions a shared library defines and needs,
/// and to make one needed version optional. The libstdc++ compatibility step uses it; patchelf is not required.
/// </summary>
internal sealed class ElfFile
{
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlagWeak = 0x2;
    private const ushort VersionIndexGlobal = 1;
    private const byte BindingWeak = 2;

    private readonly byte[] bytes;
    private readonly List<Section> sections = new();

    private ElfFile(byte[] bytes)
    {
        this.bytes = bytes;
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (bytes[4] != 2 || bytes[5] != 1)
        {
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        }

        var sectionOffset = checked((int)U64(0x28));
        var sectionSize = U16(0x3A);
        var sectionCount = U16(0x3C);
        for (var i = 0; i < sectionCount; i++)
        {
            var at = sectionOffset + (i * sectionSize);
            sections.Add(new Section(U32(at + 4), checked((int)U64(at + 24)), checked((int)U64(at + 32)), U32(at + 40), U32(at + 44)));
        }
    }

    public static ElfFile Read(string path) => new(File.ReadAllBytes(path));

    public static ElfFile FromBytes(byte[] bytes) => new(bytes);

    public byte[] Bytes => bytes;

    /// <summary>The version names this library defines (for libstdc++: GLIBCXX_3.4, ..., GLIBCXX_3.4.30).</summary>
    public IReadOnlyList<string> DefinedVersions()
    {
        var names = new List<string>();
        foreach (var section in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strings = sections[(int)section.Link];
            var at = section.Offset;
            for (var i = 0; i < section.Info; i++)
            {
                var auxAt = at + (int)U32(at + 12);
                names.Add(ReadString(strings, U32(auxAt)));
                var next = U32(at + 16);
                if (next == 0)
                {
                    break;
                }

                at += (int)next;
            }
        }

        return names;
    }

    /// <summary>The versions this library needs, as (library, version, flags, index) rows.</summary>
    public IReadOnlyList<NeededVersion> NeededVersions()
    {
        var needed = new List<NeededVersion>();
        foreach (var (_, aux, library, name) in WalkVerneed())
        {
            needed.Add(new NeededVersion(library, name, U16(aux + 4), U16(aux + 6)));
        }

        return needed;
    }

    /// <summary>
    /// Makes a needed version optional: marks its Vernaux entry weak, and turns every symbol bound to that version
    /// into an unversioned weak reference. Returns the number of symbols changed, or -1 when the version is not needed.
    /// </summary>
    public int MakeVersionOptional(string version)
    {
        var index = -1;
        foreach (var (_, aux, _, name) in WalkVerneed())
        {
            if (name == version)
            {
                var flags = (ushort)(U16(aux + 4) | VerFlagWeak);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(aux + 4), flags);
                index = U16(aux + 6);
            }
        }

        if (index < 0)
        {
            return -1;
        }

        var versym = sections.Single(s => s.Type == ShtGnuVersym);
        var dynsym = sections.Single(s => s.Type == ShtDynsym);
        var changed = 0;
        for (var i = 0; i < versym.Size / 2; i++)
        {
            var versionAt = versym.Offset + (2 * i);
            if ((U16(versionAt) & 0x7fff) != index)
            {
                continue;
            }

            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(versionAt), VersionIndexGlobal);
            var symbolAt = dynsym.Offset + (24 * i);
            var isUndefined = U16(symbolAt + 6) == 0;
            if (isUndefined)
            {
                bytes[symbolAt + 4] = (byte)((BindingWeak << 4) | (bytes[symbolAt + 4] & 0xf));
            }

            changed++;
        }

        return changed;
    }

    private IEnumerable<(int Need, int Aux, string Library, string Name)> WalkVerneed()
    {
        foreach (var section in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strings = sections[(int)section.Link];
            var at = section.Offset;
            for (var i = 0; i < section.Info; i++)
            {
                var library = ReadString(strings, U32(at + 4));
                var aux = at + (int)U32(at + 8);
                for (var j = 0; j < U16(at + 2); j++)
                {
                    yield return (at, aux, library, ReadString(strings, U32(aux + 8)));
                    var nextAux = U32(aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += (int)nextAux;
                }

                var next = U32(at + 12);
                if (next == 0)
                {
                    break;
                }

                at += (int)next;
            }
        }
    }

    private string ReadString(Section strings, uint offset)
    {
        var start = strings.Offset + (int)offset;
        var end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));

    private ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));

    private sealed record Section(uint Type, int Offset, int Size, uint Link, uint Info);
}

internal sealed record NeededVersion(string Library, string Version, ushort Flags, ushort Index);
