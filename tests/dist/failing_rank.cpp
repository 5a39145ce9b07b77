// A rank that fails ends every rank with its message, never a hang: rank 1 cannot read its
// checkpoint while rank 0 waits for it in a collective call (tests/dist/CMakeLists.txt runs
// this as `mpirun -n 2` with a timeout and expects rank 1's message).
#include <eigenformer/dist/communicator.hpp>
#include <eigenformer/eigenformer.hpp>
#include <exception>

using namespace eigenformer;

int main(int argc, char** argv) {
  dist::MpiSession mpi(argc, argv);
  try {
    const dist::Communicator communicator;
    if (communicator.rank() == 1) {
      GPT<float> model({.vocab_size = 5, .block_size = 4, .num_layers = 1, .num_heads = 1, .channels = 4}, 1);
      load_checkpoint("no/such/folder/model.ckpt", model);
    }
    communicator.barrier();  // rank 0 waits here for a rank that will never come
    return 0;
  } catch (const std::exception& error) {
    dist::abort_every_rank(error.what());
  }
}
