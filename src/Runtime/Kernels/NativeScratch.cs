using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace LossDsl.Runtime.Kernels;

/// <summary>A small pool of 64-byte-aligned native blocks for the engine's O(N·D + tile) scratch (packed
/// panels, thread-local gradient buffers): a training loop calls the same shapes every step, so after the first
/// step no call allocates. Blocks are not zeroed. At most <see cref="Keep"/> blocks stay pooled.</summary>
internal static unsafe class NativeScratch
{
    private const int Keep = 24;
    private static readonly List<(nint Pointer, nuint Bytes)> Free = new();

    /// <summary>A block of at least <paramref name="bytes"/> bytes; give it back with <see cref="Return"/>.</summary>
    public static (nint Pointer, nuint Bytes) Rent(nuint bytes)
    {
        if (bytes == 0) bytes = 64;
        lock (Free)
        {
            var best = -1;
            for (var k = 0; k < Free.Count; k++)
                if (Free[k].Bytes >= bytes && (best < 0 || Free[k].Bytes < Free[best].Bytes)) best = k;
            if (best >= 0)
            {
                var block = Free[best];
                Free.RemoveAt(best);
                return block;
            }
        }
        return ((nint)NativeMemory.AlignedAlloc(bytes, 64), bytes);
    }

    /// <summary>Gives a block back (freeing the smallest pooled one when the pool is full).</summary>
    public static void Return((nint Pointer, nuint Bytes) block)
    {
        if (block.Pointer == 0) return;
        lock (Free)
        {
            Free.Add(block);
            if (Free.Count <= Keep) return;
            var smallest = 0;
            for (var k = 1; k < Free.Count; k++) if (Free[k].Bytes < Free[smallest].Bytes) smallest = k;
            block = Free[smallest];
            Free.RemoveAt(smallest);
        }
        NativeMemory.AlignedFree((void*)block.Pointer);
    }

    /// <summary>Frees every pooled block (tests of memory, long-lived processes between phases).</summary>
    public static void Trim()
    {
        lock (Free)
        {
            foreach (var b in Free) NativeMemory.AlignedFree((void*)b.Pointer);
            Free.Clear();
        }
    }
}

/// <summary>Carves typed, 64-byte-aligned arrays out of one rented block.</summary>
internal unsafe struct ScratchArena : IDisposable
{
    private (nint Pointer, nuint Bytes) _block;
    private nuint _used;

    public ScratchArena(nuint bytes)
    {
        _block = NativeScratch.Rent(bytes);
        _used = 0;
    }

    /// <summary>Room for <paramref name="count"/> values of <typeparamref name="T"/> (64-byte rounded).</summary>
    public static nuint Size<T>(long count) where T : unmanaged => (nuint)((count * sizeof(T) + 63) / 64 * 64);

    /// <summary>The next <paramref name="count"/> values, optionally zeroed.</summary>
    public T* Take<T>(long count, bool zero = false) where T : unmanaged
    {
        var bytes = Size<T>(count);
        if (_used + bytes > _block.Bytes) throw new InvalidOperationException("Scratch arena overflow (an engine sizing bug).");
        var p = (T*)((byte*)_block.Pointer + _used);
        _used += bytes;
        if (zero) NativeMemory.Clear(p, (nuint)(count * sizeof(T)));
        return p;
    }

    public void Dispose()
    {
        NativeScratch.Return(_block);
        _block = default;
    }
}
