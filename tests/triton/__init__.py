"""A real Triton server (nvidia-pytriton's tritonserver) serving the shipped repositories as SageMaker loads them."""
