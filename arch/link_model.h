// SPDX-License-Identifier: MIT
// Interface of every interconnect element between chips: point-to-point links and switches. Each has
// independent channels (a link's two directions, a switch's output ports), each a FCFS reservation.
#pragma once

#include "arch/component.h"

namespace xpusim::arch {

class LinkModel : public Component {
 public:
  using Component::Component;
  /// Moves `bytes` through `channel` (a link: 0 = a->b, 1 = b->a; a switch: the output port), issued
  /// at `now`, never earlier than a previous call's `now`. Queues behind bytes already accepted on that
  /// channel. Returns service start, the time the last byte has arrived (start + bytes / bandwidth +
  /// latency) and the energy spent.
  virtual Completion transfer(Bytes bytes, int channel, Time now) = 0;
  /// Number of independent channels.
  virtual int channels() const = 0;
  /// Data-sheet payload bandwidth of one channel.
  virtual Bandwidth channel_bandwidth() const = 0;
  /// Time from the first byte entering to it leaving (wire, SerDes and switching latency).
  virtual Time latency() const = 0;
};

}  // namespace xpusim::arch
