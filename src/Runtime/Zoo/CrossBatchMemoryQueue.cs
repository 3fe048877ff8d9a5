using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Zoo
{
    /// <summary>The memory of <see cref="CrossBatchMemoryContrastive"/> (pytorch-metric-learning 2.8.1's
    /// <c>CrossBatchMemory</c> queue, not DSL): a ring buffer of the last <c>size</c> embeddings (detached) and labels.
    /// <see cref="Enqueue"/> adds a batch the way PML's <c>forward</c> does, then returns the loss's inputs: the queries,
    /// the filled part of the memory and each query's own slot in it.</summary>
    public sealed class CrossBatchMemoryQueue : IDisposable
    {
        private readonly Tensor _embeddings;
        private readonly Tensor _labels;
        private int _next;

        /// <param name="size">How many past embeddings the memory holds (PML's <c>memory_size</c>).</param>
        /// <param name="embeddingSize">Their width D.</param>
        /// <param name="dtype">Their element type.</param>
        /// <param name="device">Where they live (default CPU).</param>
        public CrossBatchMemoryQueue(int size, long embeddingSize, ScalarType dtype = ScalarType.Float32, Device? device = null)
        {
            if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "The memory holds at least one embedding.");
            Size = size;
            _embeddings = zeros(new[] { (long)size, embeddingSize }, dtype, device ?? CPU);
            _labels = zeros(new[] { (long)size }, ScalarType.Int64, device ?? CPU);
        }

        /// <summary>The memory's capacity.</summary>
        public int Size { get; }

        /// <summary>How many slots hold an embedding (the capacity once it has wrapped around).</summary>
        public int Filled { get; private set; }

        /// <summary>Adds a batch and returns the loss's inputs. Without <paramref name="enqueueMask"/> the whole batch
        /// is enqueued and queries the memory, its own copies excluded (<c>memorySlot</c>); with it, the rows it marks go
        /// into the memory and the other rows are the queries, with no copy to exclude (PML's <c>enqueue_mask</c>).</summary>
        /// <exception cref="ArgumentException">The batch is larger than the memory (PML asserts this too), or the mask's
        /// length differs from the batch's.</exception>
        public IReadOnlyDictionary<string, Tensor> Enqueue(Tensor embeddings, Tensor labels, Tensor? enqueueMask = null)
        {
            var n = (int)embeddings.shape[0];
            var device = embeddings.device;
            Tensor queries, queryLabels, toQueue, toQueueLabels;
            if (enqueueMask is null)
            {
                if (n > Size) throw new ArgumentException($"A batch of {n} does not fit a memory of {Size}.", nameof(embeddings));
                (queries, queryLabels, toQueue, toQueueLabels) = (embeddings, labels, embeddings, labels);
            }
            else
            {
                if (enqueueMask.shape[0] != n) throw new ArgumentException($"The enqueue mask has {enqueueMask.shape[0]} entries for a batch of {n}.", nameof(enqueueMask));
                var mask = enqueueMask.to(ScalarType.Bool);
                (toQueue, toQueueLabels) = (embeddings[mask], labels[mask]);
                (queries, queryLabels) = (embeddings[mask.logical_not()], labels[mask.logical_not()]);
            }

            var count = (int)toQueue.shape[0];
            var slots = Enumerable.Range(0, count).Select(k => (long)((_next + k) % Size)).ToArray();
            using (no_grad())
            {
                var index = tensor(slots, ScalarType.Int64, _embeddings.device);
                _embeddings.index_copy_(0, index, toQueue.detach().to(_embeddings.dtype).to(_embeddings.device));
                _labels.index_copy_(0, index, toQueueLabels.to(ScalarType.Int64).to(_labels.device));
            }
            _next = (_next + count) % Size;
            Filled = Math.Min(Size, Filled + count);

            var selfSlots = enqueueMask is null ? slots : Enumerable.Repeat(-1L, (int)queries.shape[0]).ToArray();
            return new Dictionary<string, Tensor>
            {
                ["z"] = queries,
                ["y"] = queryLabels,
                ["memory"] = _embeddings.narrow(0, 0, Filled).clone().to(device),
                ["memoryLabels"] = _labels.narrow(0, 0, Filled).clone().to(device),
                ["memorySlot"] = tensor(selfSlots, ScalarType.Int64, device),
            };
        }

        public void Dispose()
        {
            _embeddings.Dispose();
            _labels.Dispose();
        }
    }
}
