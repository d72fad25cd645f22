"""County to township and back (W1, R1, R3, P2): directives a county assigns to its
townships (督辦) and the reports townships send upward to the county inbox."""
